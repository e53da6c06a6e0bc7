from celery import shared_task

from assessments.models import Cycle


@shared_task
def recompute_kpis(cycle_id: int) -> None:
    """Recomputes a cycle's snapshot, and the next cycle's (its trend uses this one)."""
    from kpi import services

    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is not None:
        services.snapshot_refresh(cycle=cycle)


@shared_task
def recompute_closed_cycles() -> None:
    """Daily: the figures of a cycle that closed yesterday are final; compute them once more."""
    import datetime

    from django.utils import timezone

    from outbox.services import enqueue

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for cycle_id in Cycle.objects.filter(closes_on=yesterday).values_list("pk", flat=True):
        enqueue(recompute_kpis, args=[cycle_id])
