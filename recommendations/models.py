from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.templatetags.written_text import isolated

RECOMMENDATION_COUNT = 10
LEVELS = (1, 2, 3, 4, 5)
# The language the framework's wording is written in: its ``<field>_en`` columns hold the
# source, and every other language falls back to it (docs/framework-translations.md).
SOURCE_LANGUAGE = "en"


def column(field: str, language: str) -> str:
    """The column of ``field`` in ``language``: ``short_title_zh_hans``."""
    return f"{field}_{language.replace('-', '_')}"


def wording_changes(instance, stored) -> list[str]:
    """The source columns that differ between ``instance`` and its ``stored`` row.

    A translation (a non-source language column) is not the framework's wording: the
    committee's text can be loaded in any language after a cycle used the framework. Nor is
    a part's ``guidance_fields``: how the portal helps to read the framework, not what it
    asks (``RecommendedAction.moves_from_level``). The plain column of a translated field is
    left out too: modeltranslation keeps it and fills it with whatever language was active
    when the row was saved; nothing reads it.
    """
    from django.conf import settings

    translated = getattr(instance, "translated_fields", ())
    guidance = getattr(instance, "guidance_fields", ())
    ignored = {"status", "updated_at"} | set(translated) | set(guidance)
    ignored |= {
        column(field, language)
        for field in translated
        for language in settings.MODELTRANSLATION_LANGUAGES
        if language != SOURCE_LANGUAGE
    }
    return [
        field.attname
        for field in instance._meta.concrete_fields
        if field.attname not in ignored
        and getattr(stored, field.attname) != getattr(instance, field.attname)
    ]


class FrameworkFrozen(ValidationError):
    """A framework that past submissions were made against cannot change any more."""

    def __init__(self, framework):
        super().__init__(
            _(
                "Framework %(version)s is read-only: assessments were submitted against it. "
                "Make a new version from it instead."
            )
            % {"version": isolated(framework.version)},
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
    translated_fields = ("title",)

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
        # Retiring a frozen framework is allowed: it changes no wording; so is translating it.
        if self.pk and self.is_frozen and wording_changes(self, Framework.objects.get(pk=self.pk)):
            raise FrameworkFrozen(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.assert_editable()
        return super().delete(*args, **kwargs)

    @property
    def stamp(self) -> float:
        """What keys the cached copies of its wording: moves with every change to it."""
        return self.updated_at.timestamp() if self.updated_at else 0

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

    def get_framework(self) -> "Framework":
        return self  # as its parts answer it (the admin's inlines ask either)

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
        if self.pk is None or wording_changes(self, type(self).objects.get(pk=self.pk)):
            framework.assert_editable()
        super().save(*args, **kwargs)
        # Translations move the stamp too: the form's cached texts are keyed by it.
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
    translated_fields = ("short_title", "statement", "gist")

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
    translated_fields = ("text",)
    # Settable on a frozen framework too. The step an action typically moves an office
    # across is the portal's guidance on reading the matrix as a path, not part of what
    # offices answered: no answer, level or figure depends on it, and the same answers read
    # the same whatever it says. The secretariat refines it as experience comes in, as it
    # loads translations, without a new version of the framework.
    guidance_fields = ("moves_from_level",)

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("action"))
    moves_from_level = models.PositiveSmallIntegerField(
        _("moves an office from level"),
        null=True,
        blank=True,
        choices=[(level, f"{level} → {level + 1}") for level in LEVELS[:-1]],
        help_text=_(
            "The step this action typically moves an office across: from this level to the "
            "next. Empty when it is not tied to one step. Guidance only: it can be changed "
            "after assessments were submitted against the framework."
        ),
    )

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "position"], name="one_action_per_position"
            ),
            models.CheckConstraint(
                condition=models.Q(moves_from_level__gte=1, moves_from_level__lt=len(LEVELS))
                | models.Q(moves_from_level__isnull=True),
                name="action_step_from_level_1_to_4",
            ),
        ]
        verbose_name = _("recommended action")
        verbose_name_plural = _("recommended actions")

    def __str__(self) -> str:
        return self.text

    def get_framework(self) -> Framework:
        return self.recommendation.framework


class MaturityLevel(FrameworkPart):
    translated_fields = ("name", "descriptor")

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


class QuestionLabel(FrameworkPart):
    """The wording of one question of the questionnaire, as this framework asks it.

    ``name`` is the questionnaire's name of the answer (``status``, ``evidence_url``...); a
    framework without labels is asked with the portal's own (interface) wording.
    """

    translated_fields = ("label",)

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    name = models.CharField(_("question"), max_length=40)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        ordering = ["framework", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="one_label_per_question"),
        ]
        verbose_name = _("question label")
        verbose_name_plural = _("question labels")

    def __str__(self) -> str:
        return self.label

    def get_framework(self) -> Framework:
        return self.framework


class FrameworkTranslation(models.Model):
    """What a framework's wording in one language is: the committee's published text, or
    ours; who loaded it, when, and the note that came with it."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official translation")
        WORKING = "working", _("Working translation")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("loaded from"), max_length=200, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    # What each translated text translates: a short hash of its English when it was written
    # (loaded, edited, copied), by ``wording.text_key``. A text whose English hash differs
    # now is older than its source (``selectors.stale_translations``).
    source_hashes = models.JSONField(
        _("hashes of the English translated"), default=dict, blank=True
    )

    class Meta:
        ordering = ["framework", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "language"], name="one_translation_per_language"
            ),
        ]
        verbose_name = _("framework translation")
        verbose_name_plural = _("framework translations")

    def __str__(self) -> str:
        return f"{self.framework_id} {self.language} ({self.kind})"

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL


class CrosswalkLink(FrameworkPart):
    """One line of a framework's crosswalk to the version it was derived from: the new
    ``recommendation`` continues the ``previous`` one (several lines into one new
    recommendation: a merge; one previous recommendation into several: a split). A line
    with no new recommendation retires the previous one. What each line means for answers,
    trends and roadmaps is ``recommendations.crosswalk``'s rule (docs/framework-evolution.md).
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="crosswalk")
    previous = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="continued_by",
        verbose_name=_("previous recommendation"),
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="continues",
        verbose_name=_("new recommendation"),
        help_text=_("Empty when the previous recommendation is retired."),
    )

    class Meta:
        ordering = ["framework", "previous__number", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "previous", "recommendation"], name="one_line_per_pair"
            ),
            models.UniqueConstraint(
                fields=["framework", "previous"],
                condition=models.Q(recommendation__isnull=True),
                name="retired_once",
            ),
        ]
        verbose_name = _("crosswalk line")
        verbose_name_plural = _("crosswalk lines")

    def __str__(self) -> str:
        new = self.recommendation.number if self.recommendation_id else "-"
        return f"{self.framework.version}: {self.previous.number} -> {new}"

    def get_framework(self) -> Framework:
        return self.framework
