"""Shapes answers for the templates: sections of the form, conflicts and history lines."""

from assessments import questionnaire as q
from assessments.services import assessment_values


def _post_value(value):
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    return str(value)


def form_data(assessment, held: dict) -> dict:
    """Form data for held answers: on their own if the whole form was held, else on top of
    the stored answers."""
    if held.get("full"):
        data = dict(held["values"])
    else:
        data = {key: _post_value(value) for key, value in assessment_values(assessment).items()}
        data.update(held["values"])
    data["version"] = str(held.get("version") or assessment.version)
    return data


def _filled(value) -> bool:
    return value not in (None, "", [])


def sections(recommendations, answers, form) -> list[dict]:
    result = []
    for recommendation in recommendations:
        number = recommendation.number
        fields = {
            question.name: form[q.key(number, question.name)]
            for question in q.PER_RECOMMENDATION
            if q.key(number, question.name) in form.fields
        }
        result.append(
            {
                "recommendation": recommendation,
                "anchor": f"r{number}",
                "f": fields,
                "levels": list(recommendation.levels.all()),
                "answer": answers.get(number),
                "complete": all(_filled(fields[name].value()) for name in q.REQUIRED),
            }
        )
    return result


def conflict_rows(stale, conflicts, mine: dict) -> list[dict]:
    rows = []
    for key, change in stale.changes.items():
        rows.append(
            {
                "key": key,
                "label": q.label(key),
                "by": change["user"],
                "at": change["at"],
                "theirs": q.display_value(key, change["current"]),
                "mine": q.display_value(key, mine.get(key)),
                "conflict": key in conflicts,
            }
        )
    rows.sort(key=lambda row: (not row["conflict"], row["key"]))
    return rows


def history_rows(events) -> list[dict]:
    return [
        {
            "event": event,
            "changes": [
                {
                    "label": q.label(change["field"]),
                    "old": q.display_value(change["field"], change["old"]),
                    "new": q.display_value(change["field"], change["new"]),
                }
                for change in event.changes
            ],
        }
        for event in events
    ]
