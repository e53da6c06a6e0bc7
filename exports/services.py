"""Writes of the export jobs: ask for one, run it, retry it."""

import contextlib
import datetime
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Cycle
from exports import annex, data, office_summary
from exports.models import ExportJob
from exports.output import Output, Progress
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.languages import portal_language
from portal.offices.models import Office
from portal.permissions import can_export

logger = logging.getLogger(__name__)

Kind = ExportJob.Kind
RUN_EXPORT = "exports.tasks.run_export"


def export_language(language: str | None = None) -> str:
    """One of the portal's languages: ``language`` (by default the active one) or, failing
    that, the site's."""
    return portal_language(language) or settings.LANGUAGE_CODE


def _build(job: ExportJob, progress: Progress) -> Output:
    """The one place that turns a job into a file: the command line calls the same builders.
    A file is built in the language recorded with the job (the requester's, or the one chosen
    for the annex), whichever language the worker runs in."""
    parameters = job.parameters
    language = export_language(parameters.get("language") or settings.LANGUAGE_CODE)
    with translation.override(language):
        return _build_in_language(job, parameters, language, progress)


def _build_in_language(job: ExportJob, parameters: dict, language: str, progress) -> Output:
    if job.kind == Kind.ANNEX:
        return annex.build_annex(
            cycle=job.cycle,
            symbol=parameters["symbol"],
            date=datetime.date.fromisoformat(parameters["date"]),
            language=language,
            progress=progress,
        )
    if job.kind == Kind.OFFICE_SUMMARY:
        return office_summary.build_office_summary(
            cycle=job.cycle, office=job.office, progress=progress
        )
    builder = {Kind.XLSX: data.build_xlsx, Kind.CSV: data.build_csv, Kind.JSON: data.build_json}
    return builder[job.kind](cycle=job.cycle, progress=progress)


class NothingSubmitted(Exception):
    """An office summary asked for a cycle in which the office has submitted nothing."""


class Superseded(Exception):
    """This run of a job lost it to another run (its heartbeat was taken for lost)."""


def _stalled_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.EXPORT_STALLED_SECONDS)


def _lost_error() -> str:
    return _(
        "The export stopped %(count)s times without finishing (its worker was lost). "
        "Try again; if it stops again, tell the portal's administrators."
    ) % {"count": settings.EXPORT_MAX_ATTEMPTS}


def stalled_jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Jobs whose worker vanished (killed, machine restarted) are run again, or marked failed
    with "Try again" after ``EXPORT_MAX_ATTEMPTS`` runs: a running job whose heartbeat is
    older than ``EXPORT_STALLED_SECONDS`` has lost its worker. Called by beat, and before a
    new request so that a lost job never blocks it."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "redispatched": 0}
    stalled = ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, updated_at__lt=_stalled_before(now)
    )
    for job in stalled:
        with transaction.atomic():
            if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
                counts["failed"] += _stalled(job, now).update(
                    state=ExportJob.State.FAILED,
                    error=_lost_error(),
                    finished_at=now,
                    updated_at=now,
                )
                continue
            if _stalled(job, now).update(
                state=ExportJob.State.QUEUED,
                step=_("The worker stopped: waiting for another one"),
                updated_at=now,
            ):
                _enqueue(job)
                counts["requeued"] += 1
    # A queued job whose message was lost by the broker (not one still held in the outbox)
    # would wait for ever: it is sent again; a second message for it does nothing.
    forgotten = ExportJob.objects.filter(
        state=ExportJob.State.QUEUED,
        updated_at__lt=now - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 60),
    ).exclude(pk__in=_held_job_ids())
    for job in forgotten:
        with transaction.atomic():
            if ExportJob.objects.filter(
                pk=job.pk, state=ExportJob.State.QUEUED, updated_at=job.updated_at
            ).update(updated_at=now):
                _enqueue(job)
                counts["redispatched"] += 1
    return counts


def _stalled(job: ExportJob, now: datetime.datetime):
    # Checked again in the write: the job may have moved since it was read.
    return ExportJob.objects.filter(
        pk=job.pk,
        state=ExportJob.State.RUNNING,
        attempts=job.attempts,
        updated_at__lt=_stalled_before(now),
    )


def _held_job_ids() -> list[int]:
    from outbox.models import OutboxMessage

    return [
        message.args[0]
        for message in OutboxMessage.objects.pending().filter(task=RUN_EXPORT)
        if message.args
    ]


def _enqueue(job: ExportJob) -> None:
    from outbox.services import enqueue

    enqueue(
        RUN_EXPORT,
        args=[job.pk],
        held_notice=_("The job queue is unreachable: the export will start as soon as it is back."),
    )


def export_request(
    *,
    user,
    kind: str,
    cycle: Cycle,
    office: Office | None = None,
    parameters: dict | None = None,
) -> tuple[ExportJob, bool]:
    """Starts an export, or returns the same export already under way (and False)."""
    if not can_export(user, kind, office):
        raise PermissionDenied
    if (kind == Kind.OFFICE_SUMMARY) != (office is not None):
        raise ValueError("an office summary needs an office; other exports do not")
    if (
        kind == Kind.OFFICE_SUMMARY
        and not office.assessments.filter(cycle=cycle, submitted_at__isnull=False).exists()
    ):
        # A summary is of a submission (the last one, if it was reopened since): refused now,
        # not by a job that would fail.
        raise NothingSubmitted
    # The file is in the requester's language unless the request names one (the annex): the
    # language is part of what was asked for, so of the request's key.
    parameters = {**(parameters or {})}
    parameters["language"] = export_language(parameters.get("language"))
    key = ExportJob.key_for(kind=kind, cycle=cycle, office=office, parameters=parameters)
    stalled_jobs_recover()
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                kind=kind,
                cycle=cycle,
                office=office,
                parameters=parameters,
                request_key=key,
                requested_by=user,
                step=_("Waiting for a worker"),
            )
            _enqueue(job)
    except IntegrityError:
        # The same export is queued or running: one is enough (the unique index decides,
        # so two requests at the same instant cannot both start one).
        return ExportJob.objects.active().get(request_key=key), False
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        user=user,
        target=job,
        detail={"kind": kind, "year": cycle.year, "office": office.code if office else None}
        | parameters,
    )
    return job, True


def export_downloaded(*, job: ExportJob, user) -> None:
    audit_record(
        kind=AuditEvent.Kind.EXPORT_DOWNLOADED,
        user=user,
        target=job,
        detail={"file": job.filename, "answers_hash": job.answers_hash},
    )


def export_retry(*, job: ExportJob, user) -> tuple[ExportJob, bool]:
    """A failed job runs again, on the same page; if the same export was started since, that
    one is returned instead."""
    if not can_export(user, job.kind, job.office):
        raise PermissionDenied
    if job.state != ExportJob.State.FAILED:
        return job, False
    try:
        with transaction.atomic():
            updated = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.FAILED).update(
                state=ExportJob.State.QUEUED,
                progress=0,
                step=_("Waiting for a worker"),
                error="",
                finished_at=None,
                updated_at=timezone.now(),
                # "Try again" is a fresh start, with all its attempts.
                attempts=0,
            )
            if updated:
                _enqueue(job)
    except IntegrityError:
        return ExportJob.objects.active().get(request_key=job.request_key), False
    job.refresh_from_db()
    return job, bool(updated)


def _mine(job: ExportJob):
    """The job as long as this run holds it: a run taken for lost writes nothing more."""
    return ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING, attempts=job.attempts)


def _progress_writer(job: ExportJob) -> Progress:
    def progress(percent: int, step: str) -> None:
        if not _mine(job).update(
            progress=max(0, min(percent, 99)), step=step[:200], updated_at=timezone.now()
        ):
            raise Superseded

    return progress


class Busy(Exception):
    """Another run of the job is alive (its heartbeat is fresh): this delivery waits."""


def export_claim(*, job_id: int) -> ExportJob | None:
    """Takes a job to run it: a queued one, or a running one whose heartbeat stopped (its
    worker was lost and its message came back). None when there is nothing to do: the job is
    gone, finished, or failed (after its last attempt). Raises Busy while another run holds
    it."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            # Only the job's row: its office is an outer join, which cannot be locked.
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("cycle__framework", "office")
            .filter(pk=job_id)
            .first()
        )
        if job is None or not job.is_active:
            return None
        if job.state == ExportJob.State.RUNNING and job.updated_at >= _stalled_before(now):
            raise Busy
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            job.state = ExportJob.State.FAILED
            job.error = _lost_error()
            job.finished_at = now
            job.save(update_fields=["state", "error", "finished_at", "updated_at"])
            return None
        job.state = ExportJob.State.RUNNING
        job.attempts += 1
        job.started_at = now
        job.progress = 0
        job.step = _("Starting")
        job.save(
            update_fields=["state", "attempts", "started_at", "progress", "step", "updated_at"]
        )
    return job


@contextlib.contextmanager
def _heartbeat(job: ExportJob, seconds: float) -> Iterator[None]:
    """Tells, every few seconds, that this run is alive, even through a long step without
    progress (rendering a PDF): the sweep takes a job whose heartbeat stopped for lost."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(seconds):
                _mine(job).update(updated_at=timezone.now())
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"export-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def export_run(*, job: ExportJob, heartbeat: bool = False) -> ExportJob:
    """Builds the job's file and stores it with the job; a failure is recorded, not raised,
    so that the page can say why. ``job`` is one claimed by ``export_claim``; ``heartbeat``
    (in a worker) keeps its heartbeat fresh from a thread while the file is built."""
    beating = (
        _heartbeat(job, settings.EXPORT_HEARTBEAT_SECONDS)
        if heartbeat
        else contextlib.nullcontext()
    )
    try:
        with beating:
            output = _build(job, _progress_writer(job))
    except Superseded:
        logger.warning("export %s: run %s was taken over by another", job.pk, job.attempts)
        return job
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        return export_fail(job=job, error=error)
    job.file.save(output.filename, ContentFile(output.content), save=False)
    finished = _mine(job).update(
        file=job.file.name,
        filename=output.filename,
        content_type=output.content_type,
        size=len(output.content),
        pages=output.pages,
        answers=output.answers,
        answers_hash=output.answers_hash,
        state=ExportJob.State.DONE,
        progress=100,
        step=_("Done"),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not finished:
        # Another run holds the job now: it alone finishes it.
        job.file.delete(save=False)
        logger.warning("export %s: run %s finished after being taken over", job.pk, job.attempts)
    job.refresh_from_db()
    return job


def export_fail(*, job: ExportJob, error: BaseException | str) -> ExportJob:
    """Records why the run that holds ``job`` failed (a run taken over records nothing)."""
    if isinstance(error, BaseException):
        message = str(error) or type(error).__name__
        if not isinstance(error, ValueError):
            message = f"{type(error).__name__}: {message}"
    else:
        message = error
    now = timezone.now()
    _mine(job).update(
        state=ExportJob.State.FAILED, error=message[:2000], finished_at=now, updated_at=now
    )
    job.refresh_from_db()
    return job
