"""The KPIs of DESIGN.md, computed from answers alone.

Counting is separated from assembling: ``Tally`` holds, for one recommendation and one group
of respondents, how many answers had each status, flag and level. The database fills tallies
with one GROUP BY (``kpi.selectors``); ``tally_rows`` fills them from plain rows (the tests'
way, and the reference the SQL is checked against). ``assemble`` turns tallies into the
figures: percentages of the group's respondents rounded half up, with what was not answered
counted in its own bucket, never dropped.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

STATUSES = ("implemented", "ongoing", "decided", "considering", "not_planned")
UNANSWERED = "unanswered"
FLAGS = ("focus", "low_priority", "challenge", "discuss")
LEVELS = (1, 2, 3, 4, 5)
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


@dataclass
class Tally:
    """Counts of one recommendation's answers in one group."""

    rows: int = 0
    status: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    selected: dict = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))
    not_asked: dict = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))
    levels: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    targets: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    gap_sum: int = 0
    gap_count: int = 0

    def add(self, other: "Tally") -> None:
        self.rows += other.rows
        for mine, theirs in (
            (self.status, other.status),
            (self.selected, other.selected),
            (self.not_asked, other.not_asked),
            (self.levels, other.levels),
            (self.targets, other.targets),
        ):
            for key, value in theirs.items():
                mine[key] += value
        self.gap_sum += other.gap_sum
        self.gap_count += other.gap_count


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


def _median(levels: dict[int, int]) -> float | int | None:
    total = sum(levels.values())
    if not total:
        return None
    ordered = [level for level in LEVELS for _ in range(levels[level])]
    middle = total // 2
    if total % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    return low if low == high else (low + high) / 2


def _top(counts: dict[int, int]) -> set[int]:
    """Numbers with fewer than three others strictly above them (ties at third are in)."""
    return {
        number
        for number, count in counts.items()
        if count > 0 and sum(1 for other in counts.values() if other > count) < TOP
    }


def tally_rows(rows: Iterable[Row], offices: set[int]) -> tuple[dict[int, Tally], dict]:
    """Tallies by recommendation, and per flag the offices that answered and chose none."""
    tallies: dict[int, Tally] = defaultdict(Tally)
    chose: dict[int, dict[str, list]] = defaultdict(lambda: {flag: [] for flag in FLAGS})
    for row in rows:
        if row.office not in offices:
            continue
        tally = tallies[row.number]
        tally.rows += 1
        if row.status:
            tally.status[row.status] += 1
        for flag in FLAGS:
            value = getattr(row, flag)
            if value is None:
                tally.not_asked[flag] += 1
            else:
                tally.selected[flag] += value
                chose[row.office][flag].append(value)
        if row.current is not None:
            tally.levels[row.current] += 1
            if row.target is not None:
                tally.gap_sum += row.target - row.current
                tally.gap_count += 1
        if row.target is not None:
            tally.targets[row.target] += 1
    none_selected = {
        flag: sum(1 for office in chose.values() if office[flag] and not any(office[flag]))
        for flag in FLAGS
    }
    return tallies, none_selected


def assemble(
    tallies: dict[int, Tally], none_selected: dict, *, numbers: list[int], respondents: int
) -> dict:
    """The figures of one group from its tallies."""
    recommendations = []
    for number in numbers:
        tally = tallies.get(number) or Tally()
        # A respondent without a row for this recommendation did not answer it.
        missing = respondents - tally.rows
        status = {key: share(tally.status[key], respondents) for key in STATUSES}
        status[UNANSWERED] = share(respondents - sum(tally.status.values()), respondents)
        entry = {
            "number": number,
            "status": status,
            "adoption": share(tally.status["implemented"] + tally.status["ongoing"], respondents),
            "commitment": share(
                tally.status["implemented"] + tally.status["ongoing"] + tally.status["decided"],
                respondents,
            ),
        }
        for flag in FLAGS:
            entry[flag] = share(tally.selected[flag], respondents)
        answered_levels = sum(tally.levels.values())
        weighted = sum(level * count for level, count in tally.levels.items())
        entry["maturity"] = {
            "mean": one_decimal(weighted / answered_levels) if answered_levels else None,
            "median": _median(tally.levels),
            "distribution": {str(level): tally.levels[level] for level in LEVELS},
        }
        targeted = sum(tally.targets.values())
        entry["target"] = {
            "mean": one_decimal(
                sum(level * count for level, count in tally.targets.items()) / targeted
            )
            if targeted
            else None,
            "distribution": {str(level): tally.targets[level] for level in LEVELS},
        }
        entry["target_gap"] = {
            "mean": one_decimal(tally.gap_sum / tally.gap_count) if tally.gap_count else None
        }
        entry["unanswered"] = {
            **{flag: share(tally.not_asked[flag] + missing, respondents) for flag in FLAGS},
            "maturity": share(respondents - answered_levels, respondents),
        }
        recommendations.append(entry)

    counts = {
        flag: {e["number"]: e[flag]["count"] for e in recommendations} for flag in SIGNAL_FLAGS
    }
    signalled = set.intersection(*(_top(counts[flag]) for flag in SIGNAL_FLAGS))
    for entry in recommendations:
        entry["priority_signal"] = entry["number"] in signalled
    return {
        "respondents": respondents,
        "recommendations": recommendations,
        "none_selected": {flag: share(none_selected.get(flag, 0), respondents) for flag in FLAGS},
    }


def compute(rows: Iterable[Row], *, numbers: list[int], offices: set[int]) -> dict:
    """The figures of one group of respondents (``offices``) from plain rows."""
    tallies, none_selected = tally_rows(rows, offices)
    return assemble(tallies, none_selected, numbers=numbers, respondents=len(offices))


def _delta(now: float | None, before: float | None) -> float | None:
    if now is None or before is None:
        return None
    return one_decimal(now - before)


def trend(current: dict, previous: dict, relations: dict[int, str] | None = None) -> dict:
    """Change of every figure, in percentage points (and levels for the maturity mean).

    ``previous`` is in the numbering of ``current`` (carried through the crosswalk when
    the two cycles used different framework versions); ``relations`` says what each
    recommendation is to the previous version's ("same" when not given). A recommendation
    the previous figures lack (a new one) has no change.
    """
    before = {entry["number"]: entry for entry in previous["recommendations"]}
    relations = relations or {}
    changes = []
    for entry in current["recommendations"]:
        old = before.get(entry["number"])
        if old is None:
            continue
        change = {"number": entry["number"], "relation": relations.get(entry["number"], "same")}
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


def attainment_share(count: int, of: int) -> dict:
    """``{"count", "of", "percent"}``; the percent is None when nothing was measured, since a
    0 % over no office would read as every target missed."""
    return {"count": count, "of": of, "percent": percent(count, of) if of else None}


REACHED, MISSED, NO_TARGET, UNMEASURED = "reached", "missed", "no_target", "unmeasured"


def own_attainment(level: int | None, target: int | None, later: int | None) -> str:
    """One office's outcome on one recommendation: a target above its ``level`` then is
    ``reached`` or ``missed`` by its ``later`` level; ``no_target`` above its level; or
    ``unmeasured`` (no level given later). Only a target above the level is one to reach,
    and no level given is not counted: counting it as missed would make silence read as
    failure."""
    if level is None or target is None or target <= level:
        return NO_TARGET
    if later is None:
        return UNMEASURED
    return REACHED if later >= target else MISSED


def attainment_outcomes(
    before: dict[tuple[int, int], tuple[int | None, int | None]],
    now: dict[tuple[int, int], int | None],
    answered: set[int],
    *,
    numbers: list[int],
) -> dict[int, dict[int, bool]]:
    """Per recommendation, each office measured (``own_attainment`` reached or missed) and
    whether it reached its target, for the figures and for the offices they rest on. An
    office that did not answer the next cycle is not measured either."""
    outcomes: dict[int, dict[int, bool]] = {number: {} for number in numbers}
    for (office, number), (level, target) in before.items():
        if number not in outcomes or office not in answered:
            continue
        outcome = own_attainment(level, target, now.get((office, number)))
        if outcome in (REACHED, MISSED):
            outcomes[number][office] = outcome == REACHED
    return outcomes


def target_attainment(
    before: dict[tuple[int, int], tuple[int | None, int | None]],
    now: dict[tuple[int, int], int | None],
    answered: set[int],
    *,
    numbers: list[int],
) -> dict:
    """Target attainment from one cycle (``before``: (office, number) -> (level, target))
    to the next (``now``: (office, number) -> level; ``answered``: the offices that
    submitted in it), as ``attainment_outcomes`` measures it. The overall figure pools every
    office × recommendation pair.
    """
    outcomes = attainment_outcomes(before, now, answered, numbers=numbers)
    reached = {number: sum(outcomes[number].values()) for number in numbers}
    measured = {number: len(outcomes[number]) for number in numbers}
    return {
        "overall": attainment_share(sum(reached.values()), sum(measured.values())),
        "recommendations": {
            number: attainment_share(reached[number], measured[number]) for number in numbers
        },
    }
