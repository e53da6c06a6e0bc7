import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Cycle
from kpi import engine, selectors
from kpi.models import KpiSnapshot


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


def cycle_kpis(cycle: Cycle) -> dict:
    """Every KPI of the cycle as one JSON-ready document (the shape the API serves)."""
    counts = selectors.cycle_counts(cycle)
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
        "answers_hash": answers_hash(counts),
    }
    previous = selectors.previous_cycle(cycle)
    if previous is not None:
        document["trend"] = _trend(counts, selectors.cycle_counts(previous), overall, numbers)
    return document


def _trend(
    now: selectors.CycleCounts, before: selectors.CycleCounts, overall: dict, numbers: list[int]
) -> dict:
    panel = set(now.offices) & set(before.offices)

    def panel_figures(counts):
        return engine.assemble(
            selectors.panel_tallies(counts.cycle, panel),
            counts.none_selected(panel),
            numbers=numbers,
            respondents=len(panel),
        )

    return {
        "previous_year": before.cycle.year,
        "overall": engine.trend(overall, _group(before, numbers, lambda region, kind: True)),
        "panel": {"offices": len(panel), **engine.trend(panel_figures(now), panel_figures(before))},
    }


@transaction.atomic
def snapshot_refresh(*, cycle: Cycle) -> KpiSnapshot:
    """Stores the cycle's figures, and refreshes the next cycle's trend that depends on them."""
    document = cycle_kpis(cycle)
    snapshot, _created = KpiSnapshot.objects.update_or_create(
        cycle=cycle, defaults={"document": document, "answers_hash": document["answers_hash"]}
    )
    following = (
        Cycle.objects.filter(year__gt=cycle.year, kpi_snapshot__isnull=False)
        .order_by("year")
        .first()
    )
    if following is not None:
        later = cycle_kpis(following)
        KpiSnapshot.objects.filter(cycle=following).update(
            document=later, answers_hash=later["answers_hash"]
        )
    return snapshot


def schedule_recompute(cycle: Cycle) -> None:
    """After the current transaction commits, recompute the cycle's indicators."""
    from outbox.services import enqueue

    enqueue(
        "kpi.tasks.recompute_kpis",
        args=[cycle.pk],
        held_notice=_("The figures will be updated as soon as the job queue is back."),
    )
