"""The KPIs of DESIGN.md, computed from answers alone.

``compute`` takes plain rows (one per answer of a submitted assessment) so that the same
code serves a cycle, a region, an office type and the panel of offices that answered two
years running. Percentages are of the respondents of the group, rounded half up; what was
not answered is counted in its own bucket, never dropped.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STATUSES = ("implemented", "ongoing", "decided", "considering", "not_planned")
UNANSWERED = "unanswered"
FLAGS = ("focus", "low_priority", "challenge", "discuss")
# The priority signal: in the top three of all three rates at once.
SIGNAL_FLAGS = ("focus", "challenge", "discuss")
TOP = 3


@dataclass(frozen=True)
class Row:
    office: int
    number: int
    status: str
    focus: bool | None
    low_priority: bool | None
    challenge: bool | None
    discuss: bool | None
    current: int | None
    target: int | None


def percent(count: int, total: int) -> int:
    if not total:
        return 0
    exact = Decimal(count) * 100 / Decimal(total)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(count: int, total: int) -> dict:
    return {"count": count, "percent": percent(count, total)}


def one_decimal(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _top(counts: dict[int, int]) -> set[int]:
    """Numbers with fewer than three others strictly above them (ties at third are in)."""
    return {
        number
        for number, count in counts.items()
        if count > 0 and sum(1 for other in counts.values() if other > count) < TOP
    }


def compute(rows: Iterable[Row], *, numbers: list[int], offices: set[int]) -> dict:
    """The figures of one group of respondents (``offices``) over ``numbers``."""
    respondents = len(offices)
    by_number: dict[int, list[Row]] = defaultdict(list)
    by_office: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.office in offices:
            by_number[row.number].append(row)
            by_office[row.office].append(row)

    recommendations = []
    flag_counts = {flag: {} for flag in FLAGS}
    for number in numbers:
        answers = by_number[number]
        # An office that submitted without a row for this recommendation did not answer it.
        missing = respondents - len(answers)
        statuses = Counter(row.status or UNANSWERED for row in answers)
        statuses[UNANSWERED] += missing
        entry = {
            "number": number,
            "status": {key: share(statuses[key], respondents) for key in (*STATUSES, UNANSWERED)},
            "adoption": share(statuses["implemented"] + statuses["ongoing"], respondents),
            "commitment": share(
                statuses["implemented"] + statuses["ongoing"] + statuses["decided"], respondents
            ),
        }
        unanswered = {}
        for flag in FLAGS:
            selected = sum(1 for row in answers if getattr(row, flag) is True)
            flag_counts[flag][number] = selected
            entry[flag] = share(selected, respondents)
            not_asked = sum(1 for row in answers if getattr(row, flag) is None) + missing
            unanswered[flag] = share(not_asked, respondents)
        levels = [row.current for row in answers if row.current is not None]
        gaps = [
            row.target - row.current
            for row in answers
            if row.current is not None and row.target is not None
        ]
        entry["maturity"] = {
            "mean": one_decimal(statistics.fmean(levels)) if levels else None,
            "median": statistics.median(levels) if levels else None,
            "distribution": {str(level): levels.count(level) for level in range(1, 6)},
        }
        unanswered["maturity"] = share(respondents - len(levels), respondents)
        entry["target_gap"] = {"mean": one_decimal(statistics.fmean(gaps)) if gaps else None}
        entry["unanswered"] = unanswered
        recommendations.append(entry)

    signalled = set.intersection(*(_top(flag_counts[flag]) for flag in SIGNAL_FLAGS))
    for entry in recommendations:
        entry["priority_signal"] = entry["number"] in signalled

    none_selected = {}
    for flag in FLAGS:
        none = 0
        for office in offices:
            values = [getattr(row, flag) for row in by_office[office]]
            answered = [value for value in values if value is not None]
            if answered and not any(answered):
                none += 1
        none_selected[flag] = share(none, respondents)

    return {
        "respondents": respondents,
        "recommendations": recommendations,
        "none_selected": none_selected,
    }


def _delta(now: float | None, before: float | None) -> float | None:
    if now is None or before is None:
        return None
    return one_decimal(now - before)


def trend(current: dict, previous: dict) -> dict:
    """Change of every figure, in percentage points (and levels for the maturity mean)."""
    before = {entry["number"]: entry for entry in previous["recommendations"]}
    changes = []
    for entry in current["recommendations"]:
        old = before.get(entry["number"])
        if old is None:
            continue
        change = {"number": entry["number"]}
        change["status"] = {
            key: entry["status"][key]["percent"] - old["status"][key]["percent"]
            for key in entry["status"]
        }
        for key in ("adoption", "commitment", *FLAGS):
            change[key] = entry[key]["percent"] - old[key]["percent"]
        change["maturity_mean"] = _delta(entry["maturity"]["mean"], old["maturity"]["mean"])
        change["target_gap_mean"] = _delta(entry["target_gap"]["mean"], old["target_gap"]["mean"])
        changes.append(change)
    return {
        "respondents": current["respondents"] - previous["respondents"],
        "recommendations": changes,
        "none_selected": {
            flag: current["none_selected"][flag]["percent"]
            - previous["none_selected"][flag]["percent"]
            for flag in FLAGS
        },
    }
