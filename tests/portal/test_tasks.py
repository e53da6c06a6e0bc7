import pytest

from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat


@pytest.mark.django_db
def test_the_heartbeat_task_records_when_a_worker_ran():
    record_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1
