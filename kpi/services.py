import datetime
import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Cycle
from kpi import engine, privacy, selectors
from kpi.models import KpiSnapshot, OfficeFigures
from recommendations.crosswalk import NEW, Crosswalk
from recommendations.selectors import crosswalk_between
from roadmap.selectors import Share, done_by_due_date_in_year


def answers_hash(counts: selectors.CycleCounts) -> str:
    """Which submissions, at which version, the figures come from.

    Every change of an answer bumps its assessment's version, so equal fingerprints mean
    equal answers.
    """
    payload = json.dumps(counts.fingerprint, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _numbers(cycle: Cycle) -> list[int]:
    return list(cycle.framework.recommendations.order_by("number").values_list("number", flat=True))


def _group(counts: selectors.CycleCounts, numbers: list[int], match) -> dict:
    offices = [
        o for o, meta in counts.offices.items() if match(meta["region"], meta["office_type"])
    ]
    return engine.assemble(
        counts.tallies(match),
        counts.none_selected(offices),
        numbers=numbers,
        respondents=len(offices),
    )


def _groups(counts: selectors.CycleCounts, numbers: list[int], key) -> dict:
    """The figures of each group of respondents, keyed by ``key(region, office_type)``."""
    keys = sorted({key(meta["region"], meta["office_type"]) for meta in counts.offices.values()})
    return {
        value: _group(counts, numbers, lambda region, kind, value=value: key(region, kind) == value)
        for value in keys
    }


def cycle_kpis(
    cycle: Cycle,
    counts: selectors.CycleCounts | None = None,
    *,
    today: datetime.date | None = None,
) -> dict:
    """Every KPI of the cycle as one JSON-ready document (the shape the API serves).

    ``today`` is the day the roadmaps' actions are read as of (by default the current one):
    an open action counts as late only once its due date has passed.
    """
    return _cycle_kpis(cycle, counts, today=today)[0]


def _cycle_kpis(
    cycle: Cycle,
    counts: selectors.CycleCounts | None = None,
    *,
    today: datetime.date | None = None,
) -> tuple[dict, selectors.Measures]:
    """``cycle_kpis``, and what target attainment was measured from, for the publication."""
    counts = counts or selectors.cycle_counts(cycle)
    numbers = _numbers(cycle)
    overall = _group(counts, numbers, lambda region, kind: True)
    on_time = sum(1 for meta in counts.offices.values() if meta["on_time"])
    document = {
        "year": cycle.year,
        "framework": cycle.framework.version,
        "respondents": overall["respondents"],
        "invited": counts.invited,
        "response_rate": engine.share(overall["respondents"], counts.invited),
        "on_time": engine.share(on_time, counts.invited),
        "recommendations": overall["recommendations"],
        "none_selected": overall["none_selected"],
        "by_region": _groups(counts, numbers, lambda region, kind: region),
        "by_office_type": _groups(counts, numbers, lambda region, kind: kind),
        # Both filters at once on the dashboard, without recomputing there.
        "by_region_and_type": _groups(counts, numbers, lambda region, kind: f"{region}/{kind}"),
        "trend": None,
        "trend_unavailable": None,
        "answers_hash": answers_hash(counts),
    }
    previous = selectors.previous_cycle(cycle)
    across = _across(previous, cycle)
    if previous is None or across is UNRELATED:
        document["trend_unavailable"] = {
            "reason": "no_previous_cycle" if previous is None else "unrelated_frameworks",
            "previous_year": previous.year if previous is not None else None,
            "previous_framework": previous.framework.version if previous is not None else None,
        }
        across = None
        carried = None
    else:
        # The previous answers carried into this numbering, read once for the trend and
        # the targets (none needed between cycles of the same version).
        carried = selectors.carried_answers(previous, across) if across is not None else None
        document["trend"] = _trend(counts, previous, overall, numbers, across, carried)
    measures = _add_target_attainment(document, cycle, previous, numbers, across, carried)
    _add_actions_done_by_due_date(document, cycle, today or timezone.localdate())
    return document, measures


# The two cycles' framework versions are not in one line of descent: nothing to compare.
UNRELATED = object()


def _across(previous: Cycle | None, cycle: Cycle):
    """The crosswalk from the previous cycle's framework version to this one's: None when
    they share it (compared by number, as always), ``UNRELATED`` when neither descends
    from the other."""
    if previous is None or previous.framework_id == cycle.framework_id:
        return None
    found = crosswalk_between(previous.framework, cycle.framework)
    return UNRELATED if found is None else found


def _add_actions_done_by_due_date(document: dict, cycle: Cycle, today: datetime.date) -> None:
    """The share of the roadmaps' actions due within the cycle's year that were done by
    their due date, overall and in each recommendation's entry (the rule is
    ``roadmap.selectors.done_by_due_date_in_year``'s); the basis says the year and the day
    the actions were read as of. Co-leads only, like target attainment."""
    overall, by_number = done_by_due_date_in_year(
        year=cycle.year, framework=cycle.framework, today=today
    )

    def figure(share) -> dict:
        return engine.attainment_share(share.count, share.of)

    document["actions_done_by_due_date"] = figure(overall)
    document["actions_done_by_due_date_basis"] = {
        "year": cycle.year,
        "as_of": today.isoformat(),
    }
    for entry in document["recommendations"]:
        entry["actions_done_by_due_date"] = figure(by_number.get(entry["number"], Share(0, 0)))


def _add_target_attainment(
    document: dict,
    cycle: Cycle,
    previous: Cycle | None,
    numbers: list[int],
    across: Crosswalk | None,
    carried: tuple[dict, set] | None,
) -> selectors.Measures:
    """The targets set in the previous cycle measured against this cycle's levels, overall
    and in each recommendation's entry; ``target_attainment_basis`` says against which year.
    Returns what they were measured from.

    Across two framework versions the targets go through the crosswalk by its rule (a
    merge's target and level are the lowest of its parts'); between versions not in one
    line of descent nothing is measured.
    """
    comparable = previous is not None and (
        previous.framework_id == cycle.framework_id or carried is not None
    )
    if carried is not None:
        answers, _answered = carried
        before = {
            (office, number): (fields.get("maturity_current"), fields.get("maturity_target"))
            for office, by_number in answers.items()
            for number, fields in by_number.items()
        }
    elif comparable:
        before, _answered = selectors.submitted_levels(previous)
    else:
        before = {}
    if comparable:
        levels, answered = selectors.submitted_levels(cycle)
        now = {key: level for key, (level, _target) in levels.items()}
    else:
        now, answered = {}, set()
    figures = engine.target_attainment(before, now, answered, numbers=numbers)
    document["target_attainment"] = figures["overall"]
    document["target_attainment_basis"] = {
        "previous_year": previous.year if previous is not None else None,
        "previous_framework": previous.framework.version if previous is not None else None,
        "comparable": comparable,
        "through_crosswalk": carried is not None,
        "crosswalk": {"from_framework": across.old, "to_framework": across.new}
        if carried is not None
        else None,
    }
    for entry in document["recommendations"]:
        entry["target_attainment"] = figures["recommendations"][entry["number"]]
    if not comparable:
        return selectors.Measures(None, {}, {}, set())
    return selectors.Measures(previous, before, now, answered)


def _trend(
    now: selectors.CycleCounts,
    previous: Cycle,
    overall: dict,
    numbers: list[int],
    across: Crosswalk | None,
    carried: tuple[dict, set] | None,
) -> dict:
    """The change since ``previous``, over all respondents and among the offices that
    answered both (the panel). Between cycles of one version the database counts both
    sides; across versions the previous answers are carried office by office through the
    crosswalk and counted here, so that a merged recommendation compares with what its
    parts add up to by the rule, and a new one is compared with nothing."""
    if across is None or across.is_identity:
        before = selectors.cycle_counts(previous)
        panel = set(now.offices) & set(before.offices)
        earlier = _group(before, numbers, lambda region, kind: True)
        earlier_panel = _panel_figures(before, panel, numbers)
    else:
        answers, answered = carried
        rows = selectors.carried_rows(answers)
        continued = [n for n in numbers if across.relation(n) != NEW]
        panel = set(now.offices) & answered
        earlier = engine.compute(rows, numbers=continued, offices=answered)
        earlier_panel = engine.compute(rows, numbers=continued, offices=panel)
    relations = across.relations() if across is not None else None
    return {
        "previous_year": previous.year,
        "previous_framework": previous.framework.version,
        "crosswalk": across.describe() if across is not None else None,
        "new": [n for n in numbers if across is not None and across.relation(n) == NEW],
        "overall": engine.trend(overall, earlier, relations),
        "panel": {
            "offices": len(panel),
            **engine.trend(_panel_figures(now, panel, numbers), earlier_panel, relations),
        },
    }


def _panel_figures(counts: selectors.CycleCounts, panel: set[int], numbers: list[int]) -> dict:
    return engine.assemble(
        selectors.panel_tallies(counts.cycle, panel, counts.revised),
        counts.none_selected(panel),
        numbers=numbers,
        respondents=len(panel),
    )


@transaction.atomic
def snapshot_refresh(*, cycle: Cycle) -> KpiSnapshot:
    """Stores the cycle's figures, publishes them to offices when the rules of
    ``kpi.privacy`` allow, and refreshes the next cycle's trend and targets reached that
    depend on them (its publication too, under the same rules)."""
    counts = selectors.cycle_counts(cycle)
    document, measures = _cycle_kpis(cycle, counts)
    snapshot, _created = KpiSnapshot.objects.update_or_create(
        cycle=cycle, defaults={"document": document, "answers_hash": document["answers_hash"]}
    )
    office_figures_publish(cycle=cycle, counts=counts, document=document, measures=measures)
    following = (
        Cycle.objects.filter(year__gt=cycle.year, kpi_snapshot__isnull=False)
        .order_by("year")
        .first()
    )
    if following is not None:
        later_counts = selectors.cycle_counts(following)
        later, later_measures = _cycle_kpis(following, later_counts)
        KpiSnapshot.objects.filter(cycle=following).update(
            document=later, answers_hash=later["answers_hash"]
        )
        # Its targets reached are measured against this cycle's targets: the offices
        # measured there move with this cycle's submissions.
        office_figures_publish(
            cycle=following, counts=later_counts, document=later, measures=later_measures
        )
    return snapshot


CO_LEADS_ONLY = ("target_attainment", "actions_done_by_due_date")


def _group_figures(document: dict, key: str) -> dict | None:
    """One group's figures from the live document, in the shape of ``engine.assemble``."""
    if key == privacy.ALL:
        group = document
    else:
        dimension, value = key.split("/", 1)
        group = document["by_region" if dimension == "region" else "by_office_type"].get(value)
    if group is None:
        return None
    figures = {name: group[name] for name in ("respondents", "recommendations", "none_selected")}
    # Target attainment rests on its own set of offices (those with a target above their
    # level last cycle), published apart under its own keys (``kpi.privacy`` rule 5); the
    # actions done by their due date rest on the offices with a roadmap, which no rule here
    # covers: co-leads only.
    figures["recommendations"] = [
        {name: value for name, value in entry.items() if name not in CO_LEADS_ONLY}
        for entry in figures["recommendations"]
    ]
    return figures


@transaction.atomic
def office_figures_publish(
    *,
    cycle: Cycle,
    counts: selectors.CycleCounts,
    document: dict,
    measures: selectors.Measures,
) -> OfficeFigures | None:
    """Publishes the live figures to offices if enough has changed since every earlier
    publication (``kpi.privacy``); returns the new publication, or None. ``measures``: what
    the document's target attainment was measured from."""
    # One publication at a time per cycle: two recomputations racing must not both publish.
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    # The figures of the latest only are read, and only if a group keeps them.
    earlier = list(OfficeFigures.objects.filter(cycle=cycle).order_by("pk").defer("figures"))
    live = privacy.group_members({str(office): meta for office, meta in counts.offices.items()})
    measured, attainment = selectors.attainment_members(counts, _numbers(cycle), measures)
    live.update(measured)
    closed = cycle.state_on(timezone.localdate()) == Cycle.State.CLOSED
    if not privacy.should_publish(
        live[privacy.ALL], [each.members.get(privacy.ALL, {}) for each in earlier], closed=closed
    ) and not privacy.attainment_moved(live, [each.members for each in earlier]):
        return None
    fresh = privacy.carry_forward(live, [each.members for each in earlier])
    members, figures = {}, {}
    for key, is_fresh in fresh.items():
        if is_fresh and privacy.is_attainment_key(key):
            group, group_figures = live.get(key, {}), attainment.get(key)
        elif is_fresh:
            group, group_figures = live.get(key, {}), _group_figures(document, key)
        else:
            group = earlier[-1].members.get(key, {})
            group_figures = earlier[-1].figures.get(key)
        if group or key == privacy.ALL:
            members[key], figures[key] = group, group_figures
    return OfficeFigures.objects.create(
        cycle=cycle, respondents=len(members[privacy.ALL]), members=members, figures=figures
    )


def schedule_recompute(cycle: Cycle) -> None:
    """After the current transaction commits, recompute the cycle's indicators (once for
    every change made before the recomputation starts)."""
    from outbox.services import enqueue

    enqueue(
        "kpi.tasks.recompute_kpis",
        args=[cycle.pk],
        held_notice=_("The figures will be updated as soon as the job queue is back."),
        coalesce=True,
    )


@transaction.atomic
def daily_recompute_schedule(*, today: datetime.date | None = None) -> list[int]:
    """Asks for the recomputation of the cycles whose figures the day ``today`` changes
    (``selectors.cycles_the_days_move``); returns their ids."""
    from outbox.services import enqueue

    cycles = selectors.cycles_the_days_move(today or timezone.localdate())
    for cycle_id in cycles:
        enqueue("kpi.tasks.recompute_kpis", args=[cycle_id], coalesce=True)
    return cycles
