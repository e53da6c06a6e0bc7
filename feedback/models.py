"""Feedback on the recommendations, collected all year and triaged by the secretariat."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.models import LONG_TEXT_MAX_LENGTH, Assessment
from portal.offices.models import Office
from recommendations.models import Framework, Recommendation

REASON_MAX_LENGTH = 2000


class Feedback(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        COMMENT = "comment", pgettext_lazy("feedback kind", "Comment")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Sent on the portal")
        SURVEY = "survey", _("Survey’s proposals question")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        TAKEN = "taken", _("Taken into a draft version")
        DECLINED = "declined", _("Declined")

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("framework")
    )
    # Empty: about the framework as a whole.
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("recommendation"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROPOSAL)
    text = models.TextField(_("text"), max_length=LONG_TEXT_MAX_LENGTH)
    private = models.BooleanField(_("not for publication"), default=False)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.PORTAL
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    # The office it comes from; empty for the task force's co-leads and the secretariat.
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("office"),
    )
    # The submission whose proposals question it comes from (one item per assessment).
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    draft_version = models.CharField(_("draft version"), max_length=20, blank=True)
    decline_reason = models.TextField(
        _("why it was declined"), blank=True, max_length=REASON_MAX_LENGTH
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    # From the survey: the submission's time, not the time it was collected.
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="taken") | ~models.Q(draft_version=""),
                name="taken_feedback_names_its_draft_version",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="declined_feedback_has_a_reason",
            ),
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        about = f"R{self.recommendation.number}" if self.recommendation_id else "framework"
        return f"{self.framework.version} {about}: {self.text[:40]}"
