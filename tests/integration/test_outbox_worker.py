"""What was asked for while Redis was unreachable reaches the real worker once it is back,
and exactly once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from exports.models import ExportJob
from outbox import services
from outbox.models import OutboxMessage
from portal.celery import app
from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat
from tests.factories import make_assessment, make_cycle, make_office
from tests.integration.test_celery_worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

CLOSED_PORT = "redis://127.0.0.1:1/0"
REOPENED = "assessments.tasks.send_reopened_notice"


@pytest.fixture
def redis_down():
    """Redis unreachable until ``redis_down.back()``: the real broker again."""
    real = app.conf.broker_url

    class Redis:
        @staticmethod
        def back():
            app.conf.broker_url = real

    app.conf.broker_url = CLOSED_PORT
    yield Redis
    app.conf.broker_url = real


def mails(mailbox) -> str:
    return "".join(path.read_text() for path in mailbox.glob("*.log"))


def drained(queue: str, hostname: str) -> bool:
    """True once the worker has run everything sent to it before this call (one at a time,
    in order): a heartbeat sent last comes back last."""
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()
    record_heartbeat.apply_async(queue=queue)
    return bool(wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=hostname).exists()))


def test_a_reopening_e_mail_held_while_redis_was_down_is_sent_once_it_is_back(
    celery_worker_process, routed, redis_down, worker_mailbox, client_of, secretariat, respondent
):
    queue, hostname = celery_worker_process
    routed(queue)
    cycle = make_cycle(2030, offices=[respondent.memberships.get().office])
    assessment = make_assessment(cycle, respondent.memberships.get().office, submitted=True)
    response = client_of(secretariat).post(
        reverse("assessment_reopen", args=["AU", 2030]), {"reason": "R4 needs a source."}
    )
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"
    held = OutboxMessage.objects.get(task=REOPENED)
    assert held.sent_at is None and "refused" in held.last_error

    redis_down.back()
    assert services.sweep(grace=0).sent == 2  # the e-mail and the figures
    assert wait_for(lambda: OutboxMessage.objects.filter(pk=held.pk, done_at__isnull=False))
    assert mails(worker_mailbox).count(f"To: {respondent.email}") == 1

    # The broker took it but the portal could not record that: it goes out again, and the
    # worker sends no second e-mail.
    OutboxMessage.objects.filter(pk=held.pk).update(sent_at=None)
    assert services.sweep(grace=0).sent == 1
    assert drained(queue, hostname)
    assert mails(worker_mailbox).count(f"To: {respondent.email}") == 1
    assert "R4 needs a source." in mails(worker_mailbox)


def test_an_export_asked_for_while_redis_was_down_is_built_once_it_is_back(
    celery_worker_process, routed, redis_down, client_of, secretariat, media_root
):
    queue, hostname = celery_worker_process
    routed(queue)
    offices = [make_office(code) for code in ["AU", "NZ", "JP", "KR", "DE"]]
    cycle = make_cycle(2030, offices=offices)
    for office in offices:
        make_assessment(cycle, office, submitted=True, r1={"status": "implemented"})
    response = client_of(secretariat).post(
        reverse("export_data_start"), {"cycle": cycle.pk, "format": "csv"}
    )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[job.pk])
    assert job.state == ExportJob.State.QUEUED

    redis_down.back()
    services.sweep(grace=0)
    done = wait_for(lambda: ExportJob.objects.filter(pk=job.pk, state="done").first(), 60)
    assert done is not None, "the worker did not build the export within 60 s"
    OutboxMessage.objects.update(sent_at=None)  # delivered a second time
    services.sweep(grace=0)
    assert drained(queue, hostname)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.finished_at) == ("done", 1, done.finished_at)
    assert len(list(media_root.glob("exports/**/*.csv"))) == 1
    assert job.finished_at <= timezone.now()


def test_the_health_check_is_ok_with_redis_and_a_live_worker(celery_worker_process, client):
    queue, hostname = celery_worker_process
    assert drained(queue, hostname)
    body = client.get(reverse("health")).json()
    assert (body["status"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
