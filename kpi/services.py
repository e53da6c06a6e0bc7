from django.db import transaction

from assessments.models import Cycle
from kpi.models import KpiSnapshot


@transaction.atomic
def snapshot_refresh(*, cycle: Cycle) -> KpiSnapshot:
    raise NotImplementedError  # the engine comes next


def schedule_recompute(cycle: Cycle) -> None:
    """After the current transaction commits, recompute the cycle's indicators."""
    from kpi import tasks

    transaction.on_commit(lambda: tasks.recompute_kpis.delay(cycle.pk))
