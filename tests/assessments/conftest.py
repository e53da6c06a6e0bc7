import pytest

from assessments import questionnaire as q
from assessments.presenters import post_value
from assessments.selectors import with_answers
from assessments.services import assessment_save, assessment_submit, assessment_values
from tests.factories import reopen_with_draft_edits


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


SUBMITTED_VALUES = {"r1-status_comment": "As submitted.", "proposals": "Sent."}
DRAFT_EDITS = {
    "r1-status": "not_planned",
    "r1-status_comment": "Work in progress.",
    "r2-focus": True,
    "proposals": "Half-written.",
}


@pytest.fixture
def submitted(draft, respondent):
    """AU's draft, completed and submitted (version 3)."""
    values = complete_values() | SUBMITTED_VALUES
    assessment_save(assessment=draft, user=respondent, base_version=1, values=values)
    assessment_submit(assessment=draft, user=respondent, base_version=2)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def revised(submitted, secretariat, respondent):
    """The submission, reopened by the secretariat and being revised: ``DRAFT_EDITS`` saved."""
    return reopen_with_draft_edits(
        submitted, secretariat=secretariat, respondent=respondent, **DRAFT_EDITS
    )
