from assessments import questionnaire as q
from assessments.presenters import post_value
from assessments.selectors import with_answers
from assessments.services import assessment_values


def complete_values(numbers=range(1, 11)) -> dict:
    values = {}
    for number in numbers:
        values[q.key(number, "status")] = "ongoing"
        values[q.key(number, "maturity_current")] = 3
    return values


def form_post(assessment, **changes) -> dict:
    """What a browser posts for the whole form: the stored answers with ``changes``."""
    data = {"version": str(assessment.version)}
    for key, value in assessment_values(with_answers(assessment)).items():
        if post_value(key, value):
            data[key] = post_value(key, value)
    for key, value in changes.items():
        key = key.replace("__", "-")
        if post_value(key, value):
            data[key] = post_value(key, value)
        else:
            data.pop(key, None)
    return data
