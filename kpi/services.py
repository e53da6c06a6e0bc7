import hashlib
import json

from django.db import transaction

from assessments.models import Cycle
from kpi import engine, selectors
from kpi.models import KpiSnapshot


def answers_hash(data: selectors.CycleData) -> str:
    """A fingerprint of the answers a snapshot was computed from."""
    rows = sorted((tuple(row.__dict__.values()) for row in data.rows), key=repr)
    offices = sorted((key, sorted(value.items())) for key, value in data.offices.items())
    payload = json.dumps([rows, offices], default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _groups(data: selectors.CycleData, numbers: list[int], match) -> dict:
    """The figures of each group of respondents, keyed by ``match(office meta)``."""
    members: dict[str, set[int]] = {}
    for office, meta in data.offices.items():
        members.setdefault(match(meta), set()).add(office)
    return {
        key: engine.compute(data.rows, numbers=numbers, offices=offices)
        for key, offices in sorted(members.items())
    }


def _numbers(cycle: Cycle) -> list[int]:
    return list(cycle.framework.recommendations.order_by("number").values_list("number", flat=True))


def cycle_kpis(cycle: Cycle, data: selectors.CycleData | None = None) -> dict:
    """Every KPI of the cycle as one JSON-ready document (the shape the API serves)."""
    data = data or selectors.cycle_data(cycle)
    numbers = _numbers(cycle)
    offices = set(data.offices)
    overall = engine.compute(data.rows, numbers=numbers, offices=offices)
    on_time = sum(1 for meta in data.offices.values() if meta["on_time"])
    document = {
        "year": cycle.year,
        "framework": cycle.framework.version,
        "respondents": overall["respondents"],
        "invited": data.invited,
        "response_rate": engine.share(overall["respondents"], data.invited),
        "on_time": engine.share(on_time, data.invited),
        "recommendations": overall["recommendations"],
        "none_selected": overall["none_selected"],
        "by_region": _groups(data, numbers, lambda meta: meta["region"]),
        "by_office_type": _groups(data, numbers, lambda meta: meta["office_type"]),
        # Both filters at once on the dashboard, without recomputing there.
        "by_region_and_type": _groups(
            data, numbers, lambda meta: f"{meta['region']}/{meta['office_type']}"
        ),
        "trend": None,
        "answers_hash": answers_hash(data),
    }
    previous = selectors.previous_cycle(cycle)
    if previous is not None:
        before = selectors.cycle_data(previous)
        panel = offices & set(before.offices)
        document["trend"] = {
            "previous_year": previous.year,
            "overall": engine.trend(
                overall, engine.compute(before.rows, numbers=numbers, offices=set(before.offices))
            ),
            "panel": {
                "offices": len(panel),
                **engine.trend(
                    engine.compute(data.rows, numbers=numbers, offices=panel),
                    engine.compute(before.rows, numbers=numbers, offices=panel),
                ),
            },
        }
    return document


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
    from kpi import tasks

    transaction.on_commit(lambda: tasks.recompute_kpis.delay(cycle.pk))
