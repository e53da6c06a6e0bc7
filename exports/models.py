import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Cycle
from portal.offices.models import Office


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """The jobs whose page and file this person may open."""
        if not user.is_authenticated:
            return self.none()
        if user.is_secretariat:
            return self
        if user.is_colead:
            return self.filter(kind__in=ExportJob.DATA_KINDS)
        return self.filter(
            kind=ExportJob.Kind.OFFICE_SUMMARY, office__memberships__user=user
        ).distinct()

    def active(self):
        return self.filter(state__in=ExportJob.ACTIVE_STATES)


class ExportJob(models.Model):
    """One export asked for by someone: what, by whom, how far it got, and its file."""

    class Kind(models.TextChoices):
        ANNEX = "annex", _("Committee annex (PDF)")
        OFFICE_SUMMARY = "office_summary", _("Office summary (PDF)")
        XLSX = "xlsx", _("Data (XLSX)")
        CSV = "csv", _("Answers (CSV)")
        JSON = "json", _("Exchange format (JSON)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    DATA_KINDS = (Kind.XLSX, Kind.CSV, Kind.JSON)
    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="export_jobs")
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, null=True, blank=True, related_name="export_jobs"
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # Equal for two requests of the same export: at most one of them may be active at once.
    request_key = models.CharField(max_length=64, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="queued")
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker, so that a job that stopped moving can be told from a slow one.
    updated_at = models.DateTimeField(auto_now=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Which submissions, at which version, the file was built from (office code -> version).
    answers = models.JSONField(default=dict, blank=True)
    answers_hash = models.CharField(max_length=64, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_key"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_job_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="progress_at_most_100"
            ),
        ]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cycle.year} #{self.pk}"

    @staticmethod
    def key_for(*, kind: str, cycle: Cycle, office: Office | None, parameters: dict) -> str:
        payload = json.dumps(
            [kind, cycle.pk, office.pk if office else None, parameters], sort_keys=True
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def is_pdf(self) -> bool:
        return self.kind in (self.Kind.ANNEX, self.Kind.OFFICE_SUMMARY)
