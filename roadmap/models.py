"""An office's roadmap: the actions it plans to reach its target levels, kept all year."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.offices.models import Office
from practices.models import Practice
from recommendations.models import Recommendation, RecommendedAction

TEXT_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class Roadmap(models.Model):
    """One per office, made on its first action; not tied to a cycle, so it lives all year."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="roadmap")
    # Bumped on every change to any of its actions: the API's PUT replaces the whole roadmap
    # and is checked against it (If-Match), as the assessment's PATCH is.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")

    def __str__(self) -> str:
        return f"{self.office.code} roadmap"


class RoadmapAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="actions")
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="roadmap_actions",
        verbose_name=_("recommendation"),
    )
    # Chosen from the recommendation's recommended actions, or empty when the office wrote
    # its own (``text`` then says what it is).
    recommended_action = models.ForeignKey(
        RecommendedAction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roadmap_actions",
        verbose_name=_("recommended action"),
    )
    # The recommendation of an older framework version the action was planned for, when a
    # crosswalk carried it to ``recommendation`` (roadmap.services.roadmap_carry): the page
    # says "was recommendation 10 of 2024", and a second carry knows it is done.
    carried_from = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned for"),
    )
    text = models.TextField(_("action"), blank=True, max_length=TEXT_MAX_LENGTH)
    responsible_unit = models.CharField(_("responsible unit"), max_length=200)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    drop_reason = models.TextField(
        _("why it was dropped"), blank=True, max_length=REASON_MAX_LENGTH
    )
    # Practices of the catalogue the action draws on: the office's own, or another office's
    # it learns from. Only a practice the office may see can be linked (``roadmap.services``);
    # one that is later withdrawn stays linked and is shown as no longer available.
    practices = models.ManyToManyField(
        Practice, blank=True, related_name="roadmap_actions", verbose_name=_("practices")
    )
    # Set when the status becomes "done" (and cleared if it goes back): "done by the due
    # date" compares it with ``due_on``.
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # Bumped on each change of this action: a page edit based on an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation__number", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="dropped") | ~models.Q(drop_reason=""),
                name="a_dropped_action_has_a_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="done") | models.Q(done_on__isnull=True),
                name="only_a_done_action_has_a_done_date",
            ),
        ]
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")

    def __str__(self) -> str:
        return f"{self.roadmap.office.code} R{self.recommendation.number}: {self.label}"

    @property
    def label(self) -> str:
        return self.text or (self.recommended_action.text if self.recommended_action else "")

    @property
    def is_overdue(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS) and (
            self.due_on < timezone.localdate()
        )


class RoadmapEvent(models.Model):
    """One entry of a roadmap's history: who changed which action, when, and how.

    ``changes`` is a list of ``{"field": "status", "old": ..., "new": ...}``.
    """

    class Kind(models.TextChoices):
        ADD = "add", _("Action added")
        CHANGE = "change", _("Action changed")
        REMOVE = "remove", _("Action removed")
        CARRY = "carry", _("Action carried to the new framework version")

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="events")
    # Kept when the action is removed: the history still says what it was.
    action = models.ForeignKey(
        RoadmapAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    action_label = models.TextField(blank=True)
    recommendation_number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-version", "-pk"]
        indexes = [models.Index(fields=["roadmap", "version"])]
        verbose_name = _("roadmap history entry")
        verbose_name_plural = _("roadmap history entries")

    def __str__(self) -> str:
        return f"{self.roadmap} v{self.version} {self.kind}"
