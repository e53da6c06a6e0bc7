import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments.services import assessment_reopen
from outbox import services
from outbox.models import OutboxMessage
from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat

pytestmark = pytest.mark.django_db

NOTICE = "The e-mail to the office will be sent as soon as the mail queue is back."


@pytest.fixture
def submitted(draft):
    draft.status, draft.submitted_at = "submitted", timezone.now()
    draft.save()
    return draft


def reopen(assessment, secretariat):
    assessment_reopen(assessment=assessment, user=secretariat, reason="R4 needs a source.")


def notices_sent():
    return OutboxMessage.objects.get(task="assessments.tasks.send_reopened_notice")


def test_a_change_that_rolls_back_asks_for_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.enqueue(record_heartbeat)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert not WorkerHeartbeat.objects.exists()


def test_a_committed_change_runs_its_task_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("portal.tasks.record_heartbeat")
        assert not WorkerHeartbeat.objects.exists()  # not before the commit
    assert WorkerHeartbeat.objects.count() == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_an_unknown_task_is_refused_before_anything_is_stored():
    with pytest.raises(LookupError):
        services.enqueue("assessments.tasks.send_nothing")
    assert not OutboxMessage.objects.exists()


def test_while_the_broker_is_down_the_change_is_stored_and_its_e_mail_waits(
    submitted, secretariat, respondent, broker_down, django_capture_on_commit_callbacks
):
    with services.watch() as held, django_capture_on_commit_callbacks(execute=True):
        reopen(submitted, secretariat)
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    message = notices_sent()
    assert message.sent_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error
    assert NOTICE in held.notices
    assert mail.outbox == []

    report = services.sweep(grace=0)  # still down: nothing leaves, nothing is lost
    assert (report.sent, report.pending) == (0, 2)
    assert mail.outbox == []

    broker_down.back()
    report = services.sweep(grace=0)
    assert (report.sent, report.pending) == (2, 0)
    assert [m.to for m in mail.outbox] == [[respondent.email]]
    services.sweep(grace=0)
    assert len(mail.outbox) == 1


def test_an_e_mail_delivered_twice_is_sent_once(
    submitted, secretariat, respondent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reopen(submitted, secretariat)
    assert len(mail.outbox) == 1
    # The broker took the message, then the database could not record it: it is sent again.
    OutboxMessage.objects.update(sent_at=None)
    assert services.sweep(grace=0).sent == 2
    assert len(mail.outbox) == 1
    assert notices_sent().done_at is not None


def test_a_task_that_fails_in_process_is_left_for_the_sweep(
    submitted, secretariat, respondent, settings, django_capture_on_commit_callbacks
):
    # No broker: the task runs in the request, and the mail server refuses the connection.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    with pytest.raises(ConnectionRefusedError), django_capture_on_commit_callbacks(execute=True):
        reopen(submitted, secretariat)
    message = notices_sent()
    assert message.sent_at is None and "ConnectionRefusedError" in message.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.sweep(grace=0)
    services.sweep(grace=0)
    assert [m.to for m in mail.outbox] == [[respondent.email]]


def test_the_sweep_leaves_a_fresh_message_to_the_dispatch_after_its_commit(broker_down):
    services.enqueue(record_heartbeat)  # its commit's own dispatch is under way
    broker_down.back()
    assert services.sweep(grace=60).sent == 0
    assert services.sweep(grace=0).sent == 1
    assert WorkerHeartbeat.objects.count() == 1


def test_sent_messages_are_forgotten_after_a_week(settings):
    old = services.enqueue(record_heartbeat)
    services.dispatch(old)
    OutboxMessage.objects.filter(pk=old.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS, minutes=1)
    )
    assert services.sweep().purged == 1


def test_the_flush_command_sends_what_waits(broker_down, capsys):
    services.enqueue(record_heartbeat)
    call_command("outbox_flush")
    assert "0 sent, 1 still waiting" in capsys.readouterr().out
    broker_down.back()
    call_command("outbox_flush")
    assert "1 sent, 0 still waiting" in capsys.readouterr().out
    assert WorkerHeartbeat.objects.count() == 1


APPS = ["assessments", "exports", "kpi", "portal", "recommendations"]
DISPATCH = re.compile(r"\.delay\(|\.apply_async\(|\.send_task\(|transaction\.on_commit\(")


def test_every_task_is_asked_for_through_the_outbox():
    """One way to ask for background work, so that none is lost when the broker is down."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for app in APPS
        for path in (root / app).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DISPATCH.search(line)
    ]
    assert offenders == []


def test_an_equal_message_not_sent_yet_takes_a_coalesced_request(broker_down):
    waiting = services.enqueue(record_heartbeat, coalesce=True)
    assert services.enqueue(record_heartbeat, coalesce=True).pk == waiting.pk
    assert services.enqueue("portal.tasks.record_heartbeat", coalesce=True).pk == waiting.pk
    broker_down.back()
    services.dispatch(waiting.pk)  # sent: perhaps running, so it takes nothing more
    assert services.enqueue(record_heartbeat, coalesce=True).pk != waiting.pk
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_message_an_open_change_took_up_is_sent_only_after_that_change_commits(broker_down):
    """Else its run could start, and read the state, before the change it stands for."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("rows are locked one by one on PostgreSQL only")
    waiting = services.enqueue(record_heartbeat, coalesce=True)  # committed; broker refused
    assert OutboxMessage.objects.get(pk=waiting.pk).attempts == 1

    def sweep_meanwhile():
        try:
            services.dispatch(waiting.pk)
        finally:
            connections.close_all()

    with transaction.atomic():
        assert services.enqueue(record_heartbeat, coalesce=True).pk == waiting.pk
        sweeper = threading.Thread(target=sweep_meanwhile)
        sweeper.start()
        sweeper.join(timeout=10)
        assert not sweeper.is_alive()
        # The other dispatch left it to this change: it tried nothing.
        assert OutboxMessage.objects.get(pk=waiting.pk).attempts == 1
    # Sent (tried, with the broker still down) once this change committed.
    assert OutboxMessage.objects.get(pk=waiting.pk).attempts == 2
    assert OutboxMessage.objects.pending().count() == 1
