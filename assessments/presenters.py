"""Shapes answers for the templates: sections of the form, conflicts and history lines."""

import datetime
import functools

from assessments import consistency
from assessments import questionnaire as q
from assessments.models import AssessmentEvent
from assessments.services import assessment_values
from portal.languages import text_list
from recommendations import wording


def post_value(field_key: str, value) -> str:
    """A stored value as the form posts it ("" when nothing is sent)."""
    question = q.QUESTIONS.get(q.parse_key(field_key)[1])
    if question is not None and question.kind == "flag" and value is not None:
        return "yes" if value else "no"
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
        data = {key: post_value(key, value) for key, value in assessment_values(assessment).items()}
        data.update(held["values"])
    data["version"] = str(held.get("version") or assessment.version)
    return data


def _filled(value) -> bool:
    return value not in (None, "", [])


def held_form_data(assessment, values: dict) -> dict:
    """Form data for answers held on the server: what was typed, on top of the stored
    answers, at the current version (the person checks them and saves)."""
    data = {key: post_value(key, value) for key, value in assessment_values(assessment).items()}
    data.update({key: post_value(key, value) for key, value in values.items()})
    data["version"] = str(assessment.version)
    data["held"] = "1"
    return data


def _flag_value(value) -> str:
    if value is True or str(value).lower() in ("yes", "true", "on", "1"):
        return "yes"
    if value is False or str(value).lower() in ("no", "false", "off", "0"):
        return "no"
    return ""


def _levels(recommendation) -> list:
    levels = recommendation.levels
    return list(levels if isinstance(levels, tuple) else levels.all())


def _level(value) -> int | None:
    """A level as the form holds it ("3", 3, "" or None), or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Section:
    """One recommendation's part of the form. Its fields and the path to the next level are
    built only when its part of the page is rendered: a page whose sections come from the
    cache needs neither, only the section list and each one's state."""

    def __init__(self, recommendation, values: dict, copied, form):
        number = recommendation.number
        self.recommendation = recommendation
        self.anchor = f"r{number}"
        self._form = form
        self.current = _level(values.get("maturity_current"))
        self.complete = all(_filled(values.get(name)) for name in q.REQUIRED)
        self.flags = {name: _flag_value(values.get(name)) for name in q.FLAGS}
        self.copied = sorted(key for key in copied if q.parse_key(key)[0] == number)
        self.warnings = {
            w.field: w.message
            for w in consistency.warnings(
                values.get("status"), values.get("maturity_current"), values.get("maturity_target")
            )
        }
        self.previous = self.next = None

    @functools.cached_property
    def f(self) -> dict:
        form, number = self._form(), self.recommendation.number
        return {
            question.name: form[q.key(number, question.name)]
            for question in q.PER_RECOMMENDATION
            if q.key(number, question.name) in form.fields
        }

    @functools.cached_property
    def levels(self) -> list:
        return _levels(self.recommendation)

    @functools.cached_property
    def path(self):
        """How to reach the next level, from the level the answer has now."""
        return wording.path(
            ((lv.level, lv.name, lv.descriptor) for lv in self.levels),
            ((action.text, action.moves_from_level) for action in self.recommendation.actions),
        )


def sections(recommendations, values: dict, form, copied=frozenset()) -> list[Section]:
    """The form's sections, from ``values`` (by key, as the form shows them); ``form`` is
    called for the fields the first time a section's fields are rendered."""
    result = []
    for recommendation in recommendations:
        number = recommendation.number
        mine = {
            question.name: values.get(q.key(number, question.name))
            for question in q.PER_RECOMMENDATION
        }
        result.append(Section(recommendation, mine, copied, form))
    for before, section, after in zip([None, *result], result, [*result[1:], None], strict=False):
        section.previous, section.next = before, after
    return result


def answer_warnings(answers) -> list[dict]:
    """The contradictions of stored answers, for "Check and submit" and the read view."""
    return [
        {"recommendation": answer.recommendation, "message": found.message}
        for answer in answers
        for found in consistency.warnings(
            answer.status, answer.maturity_current, answer.maturity_target
        )
    ]


def held_rows(held, stored: dict, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    """What a person typed and could not save, beside the answers that were submitted."""
    rows = [
        {
            "key": key,
            "label": labels.of(key),
            "mine": q.display_value(key, value),
            "submitted": q.display_value(key, stored.get(key)),
        }
        for key, value in held.values.items()
    ]
    order = {key: index for index, key in enumerate(stored)}
    rows.sort(key=lambda row: order.get(row["key"], len(order)))
    return rows


def copy_rows(values: dict, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    """The preview of "start from last year's answers"; a "not for publication" mark is
    shown with its text rather than as a row of its own."""
    return [
        {
            "key": key,
            "label": labels.of(key),
            "value": q.display_value(key, value),
            "private": bool(values.get(f"{key}_private")),
        }
        for key, value in values.items()
        if q.QUESTIONS[q.parse_key(key)[1]].kind != "private"
    ]


def numbers_text(numbers) -> str:
    """``(2, 8, 9)`` as "2, 8 and 9" in the reader's language."""
    return text_list(numbers)


def crosswalk_lines(walk) -> list[dict]:
    """For the preview of a copy across framework versions: where each recommendation's
    answers come from, for every one that is not simply the same number (a renumbering is
    shown too: the office would not recognise its answer under another number)."""
    if walk is None or walk.is_identity:
        return []
    lines = []
    for number, relation in walk.relations().items():
        previous = walk.sources[number]
        if relation == "same" and previous == (number,):
            continue
        lines.append(
            {
                "number": number,
                "relation": relation,
                "previous": numbers_text(previous),
                "also": numbers_text([n for n in walk.targets(previous[0]) if n != number])
                if relation == "split"
                else "",
            }
        )
    return lines


def conflict_rows(stale, conflicts, mine: dict, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    rows = []
    for key, change in stale.changes.items():
        rows.append(
            {
                "key": key,
                "label": labels.of(key),
                "by": change["user"],
                "at": change["at"],
                "theirs": q.display_value(key, change["current"]),
                "mine": q.display_value(key, mine.get(key)),
                "conflict": key in conflicts,
            }
        )
    rows.sort(key=lambda row: (not row["conflict"], row["key"]))
    return rows


# Saves by one person further apart than this start a new entry of the history.
SAVES_APART = datetime.timedelta(hours=1)


def _change_rows(event, labels: q.Labels) -> list[dict]:
    return [
        {
            "label": labels.of(change["field"]),
            "old": q.display_value(change["field"], change["old"]),
            "new": q.display_value(change["field"], change["new"]),
            "event": event,
        }
        for change in event.changes
    ]


def read_texts(answers, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    """A reader's view of the written answers: only those given, each with its mark."""
    rows = []
    for answer in answers:
        texts = [
            {
                "label": labels[name],
                "value": getattr(answer, name),
                "private": getattr(answer, f"{name}_private"),
            }
            for name in q.TEXT_ANSWERS
            if getattr(answer, name)
        ]
        if answer.evidence_url:
            texts.append(
                {
                    "label": labels["evidence_url"],
                    "value": answer.evidence_url,
                    "url": True,
                }
            )
        rows.append({"recommendation": answer.recommendation, "texts": texts})
    return rows


def overall_texts(assessment, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    return [
        {
            "label": labels[question.name],
            "value": getattr(assessment, question.name),
            "private": getattr(assessment, f"{question.name}_private"),
        }
        for question in q.OVERALL
        if question.kind == "text" and getattr(assessment, question.name)
    ]


def _continues(entry: dict, event) -> bool:
    """Whether ``event`` (older) belongs to the entry of one person's run of saves."""
    last = entry["events"][-1]
    return (
        event.kind == last.kind == AssessmentEvent.Kind.SAVE
        and event.user_id == last.user_id
        and last.at - event.at <= SAVES_APART
    )


def history_rows(events, labels: q.Labels = q.PORTAL_LABELS) -> list[dict]:
    """The history's entries, newest first: one person's consecutive saves (an autosave
    after each answer typed) make one entry, listing every change each save made."""
    entries: list[dict] = []
    for event in events:
        if entries and _continues(entries[-1], event):
            entries[-1]["events"].append(event)
        else:
            entries.append({"event": event, "events": [event]})
    for entry in entries:
        entry["first"] = entry["events"][-1]
        entry["grouped"] = len(entry["events"]) > 1
        entry["changes"] = [row for event in entry["events"] for row in _change_rows(event, labels)]
    return entries
