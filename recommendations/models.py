from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RECOMMENDATION_COUNT = 10
LEVELS = (1, 2, 3, 4, 5)


class FrameworkFrozen(ValidationError):
    """A framework that past submissions were made against cannot change any more."""

    def __init__(self, framework):
        super().__init__(
            _(
                "Framework %(version)s is read-only: assessments were submitted against it. "
                "Make a new version from it instead."
            )
            % {"version": framework.version},
            code="framework_frozen",
        )


class FrameworkQuerySet(models.QuerySet):
    def current(self):
        """The framework a new cycle would use: the newest active one."""
        return self.filter(status=Framework.Status.ACTIVE).order_by("-version").first()

    def with_frozen(self):
        from assessments.models import Assessment

        submitted = Assessment.objects.filter(
            cycle__framework=models.OuterRef("pk"), submitted_at__isnull=False
        )
        return self.annotate(frozen=models.Exists(submitted))


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.CharField(
        _("version"), max_length=20, unique=True, help_text=_("For example 2024.")
    )
    title = models.CharField(_("title"), max_length=200)
    document_symbol = models.CharField(
        _("source document"), max_length=40, blank=True, help_text=_("For example CWS/12/22.")
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_note = models.TextField(_("note on the source"), blank=True)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derivatives",
        verbose_name=_("derived from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every change to the framework or a part of it: what is cached of its
    # wording (the form's texts) is keyed by it.
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return f"{self.version} – {self.title}"

    def save(self, *args, **kwargs):
        # Retiring a frozen framework is allowed: it changes no wording.
        if self.pk and self.is_frozen:
            stored = Framework.objects.get(pk=self.pk)
            changed = [
                field.attname
                for field in self._meta.concrete_fields
                if field.attname != "status"
                and getattr(stored, field.attname) != getattr(self, field.attname)
            ]
            if changed:
                raise FrameworkFrozen(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.assert_editable()
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        if not self.pk:
            return False
        frozen = getattr(self, "frozen", None)  # set by with_frozen()
        if frozen is not None:
            return frozen
        from assessments.models import Assessment

        return Assessment.objects.filter(
            cycle__framework_id=self.pk, submitted_at__isnull=False
        ).exists()

    def assert_editable(self) -> None:
        if self.is_frozen:
            raise FrameworkFrozen(self)

    def touch(self) -> None:
        """Marks the wording as changed (a part of it was saved or deleted)."""
        self.updated_at = timezone.now()
        Framework.objects.filter(pk=self.pk).update(updated_at=self.updated_at)


class FrameworkPart(models.Model):
    """Anything that belongs to a framework and freezes with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        framework = self.get_framework()
        framework.assert_editable()
        super().save(*args, **kwargs)
        framework.touch()

    def delete(self, *args, **kwargs):
        framework = self.get_framework()
        framework.assert_editable()
        deleted = super().delete(*args, **kwargs)
        framework.touch()
        return deleted

    def get_framework(self) -> Framework:
        raise NotImplementedError


class Recommendation(FrameworkPart):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        validators=[MinValueValidator(1), MaxValueValidator(RECOMMENDATION_COUNT)],
    )
    short_title = models.CharField(_("short title"), max_length=120)
    statement = models.TextField(_("statement"))
    gist = models.CharField(_("gist"), max_length=300, blank=True)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="one_number_per_framework"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=RECOMMENDATION_COUNT),
                name="recommendation_number_1_to_10",
            ),
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.number}. {self.short_title}"

    def get_framework(self) -> Framework:
        return self.framework


class RecommendedAction(FrameworkPart):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("action"))

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "position"], name="one_action_per_position"
            ),
        ]
        verbose_name = _("recommended action")
        verbose_name_plural = _("recommended actions")

    def __str__(self) -> str:
        return self.text

    def get_framework(self) -> Framework:
        return self.recommendation.framework


class MaturityLevel(FrameworkPart):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="levels"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(len(LEVELS))]
    )
    name = models.CharField(_("name"), max_length=40)
    descriptor = models.TextField(_("descriptor"))

    class Meta:
        ordering = ["recommendation", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "level"], name="one_descriptor_per_level"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=len(LEVELS)),
                name="maturity_level_1_to_5",
            ),
        ]
        verbose_name = _("maturity level")
        verbose_name_plural = _("maturity levels")

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"

    def get_framework(self) -> Framework:
        return self.recommendation.framework
