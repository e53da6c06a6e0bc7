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
