import time

import pytest

from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat

# The worker writes through its own connection: the test's data must be committed.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    return None


def test_a_task_sent_through_redis_runs_in_the_worker_process(celery_worker_process):
    queue, hostname = celery_worker_process
    record_heartbeat.apply_async(queue=queue)
    heartbeat = wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=hostname).first())
    assert heartbeat is not None, "the worker did not record its heartbeat within 30 s"
    print(f"real Celery task ran in worker {heartbeat.hostname} at {heartbeat.seen_at}")


def test_the_status_page_shows_the_live_worker(celery_worker_process, client_of, secretariat):
    queue, hostname = celery_worker_process
    record_heartbeat.apply_async(queue=queue)
    assert wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=hostname).exists())
    html = client_of(secretariat).get("/secretariat/").content.decode()
    assert f"worker {hostname} last seen" in html


def test_the_worker_sends_the_invitation_e_mails(
    celery_worker_process, worker_mailbox, respondent, viewer, office
):
    from assessments import tasks
    from assessments.models import Invitation
    from tests.factories import make_cycle

    queue, _hostname = celery_worker_process
    cycle = make_cycle(2031, offices=[office])
    tasks.send_invitations.apply_async(args=[cycle.pk, [office.pk]], queue=queue)
    sent = wait_for(lambda: Invitation.objects.filter(cycle=cycle, sent_at__isnull=False).exists())
    assert sent, "the worker did not send the invitations within 30 s"
    mails = "".join(path.read_text() for path in worker_mailbox.glob("*.log"))
    assert f"To: {respondent.email}" in mails
    assert viewer.email not in mails
    assert f"/offices/AU/{cycle.year}/" in mails
    print(f"real Celery worker sent the invitation to {respondent.email}")
