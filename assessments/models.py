import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.offices.models import Office
from recommendations.models import Framework, Recommendation

COMMENT_MAX_LENGTH = 3000
LONG_TEXT_MAX_LENGTH = 10000


def cycle_date_problems(year: int | None, opens_on, closes_on) -> dict[str, str]:
    """What is wrong with a cycle's dates, by field: the one rule for the secretariat's form,
    the API and the survey import.

    A cycle closes after it opens, and both dates lie within about a year of its survey year
    (from 1 January of the year before to 31 December of the year after): a 2017 survey
    cannot be open in 2026 because someone typed 9999-12-31.
    """
    problems = {}
    if year is not None:
        first, last = datetime.date(year - 1, 1, 1), datetime.date(year + 1, 12, 31)
        for name, day in (("opens_on", opens_on), ("closes_on", closes_on)):
            if day is not None and not first <= day <= last:
                problems[name] = _(
                    "The %(year)s cycle’s dates must lie between %(first)s and %(last)s."
                ) % {"year": year, "first": first.isoformat(), "last": last.isoformat()}
    if opens_on and closes_on and closes_on < opens_on and "closes_on" not in problems:
        problems["closes_on"] = _("A cycle cannot close before it opens.")
    return problems


class Cycle(models.Model):
    """One year's survey: a framework version, a window, and the offices invited."""

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("framework")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    invited_offices = models.ManyToManyField(
        Office,
        through="Invitation",
        related_name="cycles",
        blank=True,
        verbose_name=_("invited offices"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_it_opens",
            ),
        ]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        problems = cycle_date_problems(self.year, self.opens_on, self.closes_on)
        if problems:
            raise ValidationError(problems)
        if self.framework_id and self.framework.status == Framework.Status.DRAFT:
            raise ValidationError(
                {"framework": _("A cycle uses an active framework, not a draft.")}
            )

    def state_on(self, day: datetime.date) -> str:
        if day < self.opens_on:
            return self.State.UPCOMING
        if day > self.closes_on:
            return self.State.CLOSED
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def submission_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When a submission of this cycle can plausibly have been made: from 1 January of
        the year before its year to a year after it closes (late and reopened ones too)."""
        start = datetime.datetime(self.year - 1, 1, 1, tzinfo=datetime.UTC)
        end = datetime.datetime.combine(
            self.closes_on + datetime.timedelta(days=366), datetime.time.max, tzinfo=datetime.UTC
        )
        return start, end

    def editing_block_reason(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        state = self.state_on(today)
        if state == self.State.UPCOMING:
            return _("The %(year)s questionnaire opens on %(date)s.") % {
                "year": self.year,
                "date": date_format(self.opens_on, "DATE_FORMAT"),
            }
        if state == self.State.CLOSED:
            return _(
                "The %(year)s cycle closed on %(date)s. Ask the secretariat if your "
                "office still needs to answer."
            ) % {"year": self.year, "date": date_format(self.closes_on, "DATE_FORMAT")}
        return ""

    @property
    def days_left(self) -> int:
        return (self.closes_on - timezone.localdate()).days

    @property
    def state_label(self) -> str:
        return self.State(self.state).label


class Invitation(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invitations")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "office"], name="one_invitation_per_cycle"),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.cycle.year} – {self.office.code}"


class AssessmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """The assessments this person may read."""
        if not user.is_authenticated:
            return self.none()
        if user.is_secretariat:
            return self
        if user.is_colead:
            # Reopened ones too, but their answers are read as last submitted
            # (assessments.submissions), never the draft being revised.
            return self.filter(submitted_at__isnull=False)
        return self.filter(office__memberships__user=user)

    def submitted(self):
        return self.filter(status=Assessment.Status.SUBMITTED)

    def submitted_before(self, *, office_id: int, year: int):
        """The office's assessments submitted (at least once) in cycles before ``year``,
        latest first: "last year's" answers, targets and roadmap basis all start here."""
        return self.filter(
            office_id=office_id, cycle__year__lt=year, submitted_at__isnull=False
        ).order_by("-cycle__year")


class Assessment(models.Model):
    """One office's answers for one cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped on every save: a save based on an older version is a conflict, not an overwrite.
    version = models.PositiveIntegerField(default=1)
    proposals = models.TextField(
        _("proposals to improve or update the recommendations"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    proposals_private = models.BooleanField(_("not for publication"), default=False)
    other_comments = models.TextField(
        _("anything else"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    other_comments_private = models.BooleanField(_("not for publication"), default=False)
    # The language the office writes its comments in (a portal language code), shown with
    # them wherever they are read; "" when not known (older and imported assessments).
    language = models.CharField(_("language of the answers"), max_length=10, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    # Set at each submission and kept through reopenings: the framework stays frozen.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The answers filled from last year that nobody has confirmed or changed since, kept
    # as each history entry is written: the form marks them without reading the history.
    copied_keys = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__year", "office__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "office"], name="one_assessment_per_cycle"),
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.office.code} {self.cycle.year}"

    def editing_block_reason(self, today: datetime.date | None = None) -> str:
        """Why the office cannot change this assessment now, or "" if it can."""
        if self.status == self.Status.SUBMITTED:
            return _(
                "This assessment was submitted on %(date)s and is read-only. The secretariat "
                "can reopen it if something must change."
            ) % {"date": date_format(timezone.localtime(self.submitted_at), "DATE_FORMAT")}
        if self.reopened_at:
            return ""  # a reopening is granted past the closing date too
        return self.cycle.editing_block_reason(today)


class AnswerQuerySet(models.QuerySet):
    def by_number(self) -> dict[int, "Answer"]:
        """The answers by their recommendation's number, read without the recommendation's
        texts (in six languages): what a save or the form needs of it is the number."""
        return {
            answer.number: answer
            for answer in self.annotate(number=models.F("recommendation__number"))
        }


class Answer(models.Model):
    """An office's answers about one recommendation (questions 2-6, 8 and the maturity)."""

    class Status(models.TextChoices):
        IMPLEMENTED = "implemented", _("Implemented")
        ONGOING = "ongoing", _("Ongoing implementation")
        DECIDED = "decided", _("Decision made to implement")
        CONSIDERING = "considering", _("Under consideration")
        NOT_PLANNED = "not_planned", _("Not planned")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="answers"
    )
    # Blank is "not answered": its own bucket in every figure, never dropped.
    status = models.CharField(
        _("implementation status"), max_length=16, choices=Status.choices, blank=True
    )
    status_comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX_LENGTH)
    status_comment_private = models.BooleanField(_("not for publication"), default=False)
    # For the yes/no questions None means "not answered": not yet, in a draft (so that last
    # year's answers never replace this year's "no"), or not asked, in an older survey's
    # submission. Submitting turns this year's unanswered ones into "no".
    focus = models.BooleanField(_("a current focus"), null=True, blank=True)
    focus_comment = models.TextField(
        _("related projects"), blank=True, max_length=COMMENT_MAX_LENGTH
    )
    focus_comment_private = models.BooleanField(_("not for publication"), default=False)
    low_priority = models.BooleanField(_("a low priority"), null=True, blank=True)
    low_priority_comment = models.TextField(
        _("why a low priority"), blank=True, max_length=COMMENT_MAX_LENGTH
    )
    low_priority_comment_private = models.BooleanField(_("not for publication"), default=False)
    challenge = models.BooleanField(_("a big implementation challenge"), null=True, blank=True)
    challenge_comment = models.TextField(
        _("why a challenge"), blank=True, max_length=COMMENT_MAX_LENGTH
    )
    challenge_comment_private = models.BooleanField(_("not for publication"), default=False)
    discuss = models.BooleanField(_("discuss at future meetings"), null=True, blank=True)
    maturity_current = models.PositiveSmallIntegerField(
        _("current maturity level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    maturity_target = models.PositiveSmallIntegerField(
        _("target level for next year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    evidence = models.TextField(_("evidence"), blank=True, max_length=COMMENT_MAX_LENGTH)
    evidence_private = models.BooleanField(_("not for publication"), default=False)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "recommendation"], name="one_answer_per_recommendation"
            ),
            models.CheckConstraint(
                condition=models.Q(maturity_current__isnull=True)
                | models.Q(maturity_current__gte=1, maturity_current__lte=5),
                name="maturity_current_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(maturity_target__isnull=True)
                | models.Q(maturity_target__gte=1, maturity_target__lte=5),
                name="maturity_target_1_to_5",
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.assessment} R{self.recommendation.number}"

    @classmethod
    def blank(cls, assessment, recommendation) -> "Answer":
        """An unanswered row: nothing is answered yet, not even the yes/no questions."""
        return cls(assessment=assessment, recommendation=recommendation)


class AssessmentEvent(models.Model):
    """One entry of an assessment's history: who did what, when, and which answers changed.

    ``changes`` is a list of ``{"field": "r3-status", "old": ..., "new": ...}``; together the
    events of an assessment replay every value it ever had.
    """

    class Kind(models.TextChoices):
        CREATE = "create", _("Started")
        SAVE = "save", _("Saved")
        COPY = "copy", _("Copied last year's answers")
        SUBMIT = "submit", _("Submitted")
        REOPEN = "reopen", _("Reopened")
        CONFIRM = "confirm", _("Kept copied answers")
        UNDO = "undo", _("Undid a copy of last year's answers")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # The assessment's version after this event.
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "version", "pk"]
        indexes = [models.Index(fields=["assessment", "version"])]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")

    def __str__(self) -> str:
        return f"{self.assessment} v{self.version} {self.kind}"


class Reminder(models.Model):
    """A deadline reminder sent to an office, so that no office gets the same one twice."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "office", "days_before"], name="one_reminder_per_day_before"
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.cycle.year} {self.office.code} D-{self.days_before}"


class HeldAnswers(models.Model):
    """What a person typed that could not be saved because the assessment had become
    read-only meanwhile (a colleague submitted it, or the cycle closed).

    Kept on the server, not in the session, so that it survives logging out, until the
    person saves it after a reopening or discards it.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="held")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The version the typing was based on, and what was typed, by answer key.
    base_version = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reopen_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="one_held_per_person"),
        ]
        verbose_name = _("answers not saved")
        verbose_name_plural = _("answers not saved")

    def __str__(self) -> str:
        return f"{self.assessment} held for {self.user}"
