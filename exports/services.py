"""Writes of the export jobs: ask for one, run it, retry it."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Cycle
from exports import annex, data, office_summary
from exports.models import ExportJob
from exports.output import Output, Progress
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.offices.models import Office
from portal.permissions import can_export

logger = logging.getLogger(__name__)

Kind = ExportJob.Kind


def _build(job: ExportJob, progress: Progress) -> Output:
    """The one place that turns a job into a file: the command line calls the same builders."""
    parameters = job.parameters
    if job.kind == Kind.ANNEX:
        return annex.build_annex(
            cycle=job.cycle,
            symbol=parameters["symbol"],
            date=datetime.date.fromisoformat(parameters["date"]),
            progress=progress,
        )
    if job.kind == Kind.OFFICE_SUMMARY:
        return office_summary.build_office_summary(
            cycle=job.cycle, office=job.office, progress=progress
        )
    builder = {Kind.XLSX: data.build_xlsx, Kind.CSV: data.build_csv, Kind.JSON: data.build_json}
    return builder[job.kind](cycle=job.cycle, progress=progress)


def stale_jobs_fail(*, now: datetime.datetime | None = None) -> int:
    """Jobs whose worker vanished (killed, machine restarted) stop blocking a new request:
    a job that has not moved for longer than the task's hard time limit never will."""
    now = now or timezone.now()
    limit = datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 60)
    return (
        ExportJob.objects.active()
        .filter(updated_at__lt=now - limit)
        .update(
            state=ExportJob.State.FAILED,
            error=_("The job stopped without finishing (the worker may have restarted)."),
            finished_at=now,
            updated_at=now,
        )
    )


def _enqueue(job: ExportJob) -> None:
    from exports import tasks

    transaction.on_commit(lambda: tasks.run_export.delay(job.pk))


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
    parameters = parameters or {}
    key = ExportJob.key_for(kind=kind, cycle=cycle, office=office, parameters=parameters)
    stale_jobs_fail()
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
    _enqueue(job)
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
            )
    except IntegrityError:
        return ExportJob.objects.active().get(request_key=job.request_key), False
    job.refresh_from_db()
    if updated:
        _enqueue(job)
    return job, bool(updated)


def _progress_writer(job: ExportJob) -> Progress:
    def progress(percent: int, step: str) -> None:
        ExportJob.objects.filter(pk=job.pk).update(
            progress=max(0, min(percent, 99)), step=step[:200], updated_at=timezone.now()
        )

    return progress


def export_run(*, job: ExportJob) -> ExportJob:
    """Builds the job's file and stores it with the job; a failure is recorded, not raised,
    so that the page can say why."""
    claimed = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING,
        started_at=timezone.now(),
        attempts=job.attempts + 1,
        step=_("Starting"),
        updated_at=timezone.now(),
    )
    if not claimed:
        return job  # already run by another delivery of the same message
    job.refresh_from_db()
    try:
        output = _build(job, _progress_writer(job))
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        return export_fail(job=job, error=error)
    job.file.save(output.filename, ContentFile(output.content), save=False)
    job.filename = output.filename
    job.content_type = output.content_type
    job.size = len(output.content)
    job.pages = output.pages
    job.answers = output.answers
    job.answers_hash = output.answers_hash
    job.state = ExportJob.State.DONE
    job.progress = 100
    job.step = _("Done")
    job.finished_at = timezone.now()
    job.save()
    return job


def export_fail(*, job: ExportJob, error: BaseException | str) -> ExportJob:
    if isinstance(error, BaseException):
        message = str(error) or type(error).__name__
        if not isinstance(error, ValueError):
            message = f"{type(error).__name__}: {message}"
    else:
        message = error
    job.state = ExportJob.State.FAILED
    job.error = message[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "updated_at"])
    return job
