from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Cycle


class KpiSnapshot(models.Model):
    """Every figure of one cycle, computed from the stored answers in one go.

    Pages and the API read the snapshot and never recompute; ``answers_hash`` says which
    answers it was computed from, so a published figure can be traced and reproduced.
    """

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="kpi_snapshot")
    computed_at = models.DateTimeField(auto_now=True)
    answers_hash = models.CharField(max_length=64)
    document = models.JSONField()

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")

    def __str__(self) -> str:
        return f"KPIs {self.cycle.year}"


class OfficeFigures(models.Model):
    """One publication of a cycle's peer figures for offices (``kpi.privacy``).

    Offices never read the live snapshot: they read the latest publication, and what they
    could have read in the earlier ones decides what they may see of it, so every
    publication is kept. ``members`` holds, per group, the submissions (office and version)
    its figures were computed from; ``figures`` the group's figures as published.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="office_figures")
    published_at = models.DateTimeField(auto_now_add=True)
    respondents = models.PositiveIntegerField()
    members = models.JSONField()
    figures = models.JSONField()

    class Meta:
        ordering = ["cycle", "pk"]
        verbose_name = _("figures published for offices")
        verbose_name_plural = _("figures published for offices")

    def __str__(self) -> str:
        return f"{self.cycle.year} figures for offices, {self.published_at:%Y-%m-%d %H:%M}"
