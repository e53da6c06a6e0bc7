"""Answers posted after the session expired, held in the (new, anonymous) session.

Logging in keeps the session's data, so the form can show them again for the person to
check and save. Nothing is written to the assessment until then: whoever logs in still has
to be allowed to edit it, and the save still goes through the version check.
"""

from assessments import questionnaire as q
from assessments.forms import ANSWER_KEY

SESSION_KEY = "held_answers"
MAX_VALUE_LENGTH = 20_000
MAX_TOTAL_LENGTH = 300_000
OVERALL_NAMES = {question.name for question in q.OVERALL}


def _key(code: str, year: int) -> str:
    return f"{code.upper()}/{year}"


def hold_answers(request, code: str, year: int, *, full: bool) -> bool:
    """Keeps the posted answers; ``full`` for a whole-form post, else an autosave's part."""
    values = {
        name: request.POST.get(name, "")[:MAX_VALUE_LENGTH]
        for name in request.POST
        if ANSWER_KEY.match(name) or name in OVERALL_NAMES
    }
    if not values:
        return False
    held = request.session.get(SESSION_KEY, {})
    entry = held.get(_key(code, year)) or {"version": None, "values": {}, "full": False}
    version = request.POST.get("version", "")
    if version.isdigit():
        # The oldest base version, so that the save sees every change made by others since.
        entry["version"] = min(filter(None, [entry["version"], int(version)]))
    if full:
        entry["values"], entry["full"] = values, True
    else:
        entry["values"].update(values)
    if sum(len(value) for value in entry["values"].values()) > MAX_TOTAL_LENGTH:
        return False
    held[_key(code, year)] = entry
    request.session[SESSION_KEY] = held
    return True


def held_pop(request, code: str, year: int) -> dict | None:
    held = request.session.get(SESSION_KEY)
    if not held or _key(code, year) not in held:
        return None
    entry = held.pop(_key(code, year))
    request.session[SESSION_KEY] = held
    return entry
