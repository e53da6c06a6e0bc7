"""Answers that sit badly together: warned about beside the field and on "Check and submit",
never refused (an office may have good reasons, and says so in its comments).

The rules live here only. The form's script reads them from ``client_rules()``, rendered into
the page, so that the browser warns as the server does without a copy of the rules.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# A status, the current maturity levels that contradict it, and what the respondent is told.
STATUS_LEVELS = (
    (
        "considering",
        (4, 5),
        _("“Under consideration” with a maturity level of 4 or 5: is the status still right?"),
    ),
    (
        "not_planned",
        (4, 5),
        _("“Not planned” with a maturity level of 4 or 5: is the status still right?"),
    ),
    (
        "implemented",
        (1,),
        _("“Implemented” with a maturity level of 1: is the level still right?"),
    ),
)
TARGET_BELOW = _("The target level is below the current level.")


@dataclass(frozen=True)
class Inconsistency:
    field: str  # the question the warning is shown beside: "maturity_current" or "maturity_target"
    message: str


def _level(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def warnings(status, current, target) -> list[Inconsistency]:
    """What contradicts itself in one recommendation's answers (values as stored or posted)."""
    found = []
    current, target = _level(current), _level(target)
    for rule_status, levels, message in STATUS_LEVELS:
        if status == rule_status and current in levels:
            found.append(Inconsistency("maturity_current", str(message)))
    if current is not None and target is not None and target < current:
        found.append(Inconsistency("maturity_target", str(TARGET_BELOW)))
    return found


def client_rules() -> dict:
    """The same rules as data, for the form's script."""
    return {
        "status": [
            {"status": status, "levels": list(levels), "message": str(message)}
            for status, levels, message in STATUS_LEVELS
        ],
        "targetBelow": str(TARGET_BELOW),
    }
