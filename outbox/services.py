"""The one way the portal asks for background work: a transactional outbox.

Every task that a change asks for is written to the database in the change's transaction
(``enqueue``), sent to the broker once that transaction commits (``dispatch``), and sent
again by a periodic sweep (``sweep``, every ``OUTBOX_SWEEP_SECONDS`` from Celery beat, or
``manage.py outbox_flush``) for as long as the broker does not take it. So:

- a change that rolls back asks for nothing;
- a committed change never fails because the broker is down: its tasks wait in the table,
  and the page says that the e-mail or job will follow (``outbox.notices.tell_if_held``);
- a message is marked sent only once the broker has accepted it, so a message can be sent
  twice (the broker took it, then the database could not record that): every task must be
  safe to run twice, by the state of what it works on (an export job's state, an
  invitation's ``sent_at``) or, for e-mails that leave no other trace, with
  ``with outbox.services.delivery(self.request) as first:`` which lets one delivery of an
  outbox message do its work.

Usage, inside the service that makes the change (``@transaction.atomic``)::

    from outbox.services import enqueue
    enqueue("assessments.tasks.send_reopened_notice", args=[assessment.pk, reason],
            held_notice=_("The e-mail to the office will be sent as soon as the mail queue "
                          "is back."))

Without a broker (the embedded default) the task runs in-process right after the commit,
as ``.delay()`` did; a long task (an export, ``run_after_response=True`` on the task) asked
for during a request runs once the response is sent (``outbox.middleware``), so that the
page that follows its progress appears at once.
"""

import contextlib
import contextvars
import datetime
import importlib
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxMessage
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

# The message header that carries the outbox row's id to the task.
HEADER = "outbox_id"


@dataclass
class Held:
    """The messages that the broker refused during a ``watch()``; see ``outbox.notices``."""

    messages: list[OutboxMessage] = field(default_factory=list)

    @property
    def notices(self) -> list[str]:
        seen = []
        for message in self.messages:
            notice = getattr(message, "held_notice", None)
            if notice and str(notice) not in seen:
                seen.append(str(notice))
        return seen


_watchers: contextvars.ContextVar[tuple[Held, ...]] = contextvars.ContextVar(
    "outbox_watchers", default=()
)


@contextlib.contextmanager
def watch() -> Iterator[Held]:
    """Collects the messages whose dispatch failed while the block ran (its commits included)."""
    held = Held()
    token = _watchers.set((*_watchers.get(), held))
    try:
        yield held
    finally:
        _watchers.reset(token)


# The work that the current request put off until its response is sent, or None outside a
# request; see ``after_response``.
_after_response: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "outbox_after_response", default=None
)


@contextlib.contextmanager
def after_response() -> Iterator[list]:
    """Collects, while a request is served, the in-process runs of long tasks; the caller
    runs them once the response is sent (``run_put_off``)."""
    put_off: list = []
    token = _after_response.set(put_off)
    try:
        yield put_off
    finally:
        _after_response.reset(token)


def run_put_off(put_off: list) -> None:
    """Runs what a request put off. A failure is logged, not raised: the response is gone,
    and the message, left unsent, is run again by the sweep (or ``outbox_flush``)."""
    while put_off:
        pk = put_off.pop(0)
        try:
            dispatch(pk)
        except Exception:
            logger.exception("the outbox message %s, run after the response, failed", pk)


AFTER_RESPONSE_THREAD = "outbox-after-response"


def run_put_off_in_background(put_off: list) -> threading.Thread:
    """Runs what a request put off in a thread of its own, so that the server is free to
    answer the next request (the progress page) while it runs. Should the process end
    first, an export that had started is taken up again by the recovery of stalled exports,
    and a message not yet claimed by the sweep."""
    shared = {
        alias: connections[alias]
        for alias in connections
        if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()
    }

    for connection in shared.values():
        connection.inc_thread_sharing()

    def run() -> None:
        # An in-memory database (the tests' live server) exists only in its connection.
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            run_put_off(put_off)
        finally:
            for alias in connections:
                if alias in shared:
                    shared[alias].dec_thread_sharing()
                else:
                    connections[alias].close()

    thread = threading.Thread(target=run, name=AFTER_RESPONSE_THREAD, daemon=True)
    thread.start()
    return thread


def _registered(name: str):
    """The task of that name; tasks register when their module is imported, which a web
    process or a command may not have done yet."""
    if name not in celery_app.tasks:
        with contextlib.suppress(ImportError):
            importlib.import_module(name.rpartition(".")[0])
    if name not in celery_app.tasks:
        # Refused before the commit: a typo must not store a message that can never run.
        raise LookupError(f"no task named {name!r}")
    return celery_app.tasks[name]


def _task_name(task) -> str:
    return _registered(task if isinstance(task, str) else task.name).name


def enqueue(
    task,
    *,
    args: Sequence = (),
    kwargs: dict | None = None,
    held_notice: str | None = None,
    coalesce: bool = False,
) -> OutboxMessage:
    """Asks for ``task`` (a task or its dotted name) to run with JSON-serialisable arguments
    once the current transaction commits; nothing is asked if it rolls back.

    ``held_notice`` is what the person who made the change is told if the broker is
    unreachable at that moment (see ``outbox.notices.tell_if_held``).

    ``coalesce``: for a task that reads the state when it runs (a recomputation), an equal
    message not sent yet (``_waiting``) stands for this one too, so that a burst of changes
    asks for one run; a message already sent, whose run may have started, never does.
    """
    name, args, kwargs = _task_name(task), list(args), dict(kwargs or {})
    message = _waiting(name, args, kwargs) if coalesce else None
    if message is None:
        message = OutboxMessage.objects.create(task=name, args=args, kwargs=kwargs)
    message.held_notice = held_notice
    transaction.on_commit(lambda: dispatch(message))
    return message


def _waiting(name: str, args: list, kwargs: dict) -> OutboxMessage | None:
    """An equal message not sent yet, locked until the current transaction ends: a dispatch
    meanwhile skips it (a run started before this change commits would not see it), and
    this transaction's own dispatch, after its commit, sends it. One being sent at this
    moment is locked by its dispatch, so skipped here: a new message is written instead."""
    with transaction.atomic():
        return (
            OutboxMessage.objects.pending()
            .select_for_update(skip_locked=True)
            .filter(task=name, args=args, kwargs=kwargs)
            .order_by("pk")
            .first()
        )


def dispatch(message: OutboxMessage | int) -> bool:
    """Sends one pending message; True once it is sent (by this call or another)."""
    pk = message if isinstance(message, int) else message.pk
    now = timezone.now()
    if celery_app.conf.task_always_eager:
        put_off = _after_response.get()
        if put_off is not None and _runs_after_response(message, pk):
            # Not claimed yet: if the process dies before the response is sent, the message
            # is still pending, and the sweep runs it.
            put_off.append(pk)
            return True
        # No broker: the task runs here and now, as ``.delay()`` did.
        claimed = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=now, touched_at=now, attempts=F("attempts") + 1
        )
        if claimed:
            row = OutboxMessage.objects.get(pk=pk)
            try:
                _registered(row.task).apply(
                    args=row.args, kwargs=row.kwargs, headers={HEADER: row.pk}
                )
            except Exception as error:
                # Not done: left for the sweep (or outbox_flush), and raised as before.
                OutboxMessage.objects.filter(pk=pk).update(
                    sent_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
                )
                raise
        return True
    with transaction.atomic():
        # Locked while it is handed over, so that the sweep and the commit's own dispatch
        # cannot both send it; a message locked by the other is skipped.
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return True
        row.attempts += 1
        row.touched_at = now
        try:
            _publish(row)
        except Exception as error:
            logger.warning("the broker refused %s: %s", row, error)
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.save(update_fields=["attempts", "touched_at", "last_error"])
            if not isinstance(message, int):
                for held in _watchers.get():
                    held.messages.append(message)
            return False
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "touched_at", "last_error", "sent_at"])
    return True


def _runs_after_response(message: OutboxMessage | int, pk: int) -> bool:
    task = message.task if isinstance(message, OutboxMessage) else None
    if task is None:
        task = OutboxMessage.objects.filter(pk=pk).values_list("task", flat=True).first()
    return bool(task) and getattr(_registered(task), "run_after_response", False)


def _publish(row: OutboxMessage) -> None:
    # A connection of its own, read from the settings at each call: no pool that would keep
    # a dead broker's connection, and a request waits at most about a second for a refusal.
    with celery_app.connection_for_write() as connection:
        celery_app.send_task(
            row.task,
            args=row.args,
            kwargs=row.kwargs,
            headers={HEADER: row.pk},
            connection=connection,
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0.2,
                "interval_step": 0.2,
                "interval_max": 0.2,
            },
        )


@dataclass
class SweepReport:
    sent: int = 0
    pending: int = 0
    purged: int = 0


def sweep(*, grace: float | None = None, limit: int = 500) -> SweepReport:
    """Sends again what the broker did not take; forgets sent messages after a week."""
    if grace is None:
        grace = settings.OUTBOX_SWEEP_GRACE
    report = SweepReport()
    for pk in OutboxMessage.objects.due(grace=grace).values_list("pk", flat=True)[:limit]:
        if dispatch(pk):
            report.sent += 1
        else:
            break  # the broker is still down: the others wait for the next sweep
    report.pending = OutboxMessage.objects.pending().count()
    report.purged, _ = OutboxMessage.objects.filter(
        sent_at__lt=timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    ).delete()
    return report


def message_id(task_request) -> int | None:
    """The outbox row that a task's message came from, if it came through the outbox."""
    value = getattr(task_request, HEADER, None)
    if value is None:
        value = (getattr(task_request, "headers", None) or {}).get(HEADER)
    return int(value) if value is not None else None


@contextlib.contextmanager
def delivery(task_request) -> Iterator[bool]:
    """For a task whose work leaves no trace to check (an e-mail): yields True to the first
    delivery of its outbox message, and False to any later one, which must then do nothing.

    The message row stays locked while the work is done, so that two deliveries at once are
    done one after the other; an error leaves it undone, for a redelivery to do.
    """
    pk = message_id(task_request)
    if pk is None:  # sent by beat or by hand, not through the outbox
        yield True
        return
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.done_at is not None:
            yield False
            return
        yield True
        OutboxMessage.objects.filter(pk=pk).update(done_at=timezone.now())
