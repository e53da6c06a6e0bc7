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
    """Daily: recomputes the cycles whose figures the new day changes (a cycle that closed
    yesterday, the actions that became late)."""
    from kpi import services

    services.daily_recompute_schedule()
