"""Peer learning: offices' ICT practices, their openness to be contacted, and contact requests.

What one office may read of another is decided in ``practices.selectors`` and
``practices.matching``; the models only hold the data and single-object rules.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.offices.models import Office
from recommendations.models import RECOMMENDATION_COUNT

NUMBER_VALIDATORS = [MinValueValidator(1), MaxValueValidator(RECOMMENDATION_COUNT)]
# Open contact requests an office may have at once: enough to look around, too few to spam.
OPEN_REQUEST_LIMIT = 10
# A request nobody answered lapses after this many days, revealing nothing.
REQUEST_EXPIRY_DAYS = 30


class PracticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Practice.State.PUBLISHED)

    def readable_by(self, user):
        """What this person may open: their offices' own entries in any state; other offices'
        published entries (for office people only those shared with all offices)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_secretariat or user.is_colead:
            return self.filter(
                models.Q(state=Practice.State.PUBLISHED) | models.Q(state=Practice.State.HIDDEN)
            )
        from portal.offices.models import Membership

        # A subquery, not a join: no duplicate rows, so no DISTINCT over every column.
        own = models.Q(office_id__in=Membership.objects.filter(user=user).values("office_id"))
        shared = models.Q(state=Practice.State.PUBLISHED, visibility=Practice.Visibility.OFFICES)
        return self.filter(own | shared)


class Practice(models.Model):
    """One office's ICT practice: a project, system, policy, standard implementation, training."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        SYSTEM = "system", _("System")
        POLICY = "policy", _("Policy")
        STANDARD = "standard", _("Standard implementation")
        TRAINING = "training", _("Training")
        OTHER = "other", pgettext_lazy("kind of practice", "Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by the secretariat")

    class Visibility(models.TextChoices):
        OFFICES = "offices", _("All offices")
        TASK_FORCE = "task_force", _("The task force and the secretariat only")

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="practices")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=4000)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    technologies = models.CharField(_("technologies"), max_length=300, blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True, max_length=4000)
    links = models.JSONField(_("links"), default=list, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    contact_languages = models.JSONField(_("working languages"), default=list, blank=True)
    # The language the office wrote the entry in: it is shown in it, marked, to everyone.
    language = models.CharField(_("written in"), max_length=10, default="en")
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.OFFICES
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    hidden_reason = models.TextField(_("why it is hidden"), blank=True)
    # Where a draft came from, so that turning the survey into entries twice adds nothing.
    source_answer = models.ForeignKey(
        "assessments.Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Casefolded text of every searchable field, kept by the services (see selectors.search).
    search_document = models.TextField(default="", editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("last confirmed current"), null=True, blank=True)
    # When the office was last asked by e-mail whether it is still current: once a year.
    confirmation_asked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["state", "visibility"], name="practice_state_visibility")]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return f"{self.office.code}: {self.title}"

    def is_due_for_confirmation(self, now=None) -> bool:
        """Asked once a year whether it is still current."""
        now = now or timezone.now()
        since = self.confirmed_at or self.published_at
        return (
            self.state == self.State.PUBLISHED and since is not None and (now - since).days >= 365
        )


class PracticeNumber(models.Model):
    """A recommendation the practice serves (by number: the catalogue outlives framework
    versions)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="numbers")
    number = models.PositiveSmallIntegerField(_("recommendation"), validators=NUMBER_VALIDATORS)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="one_number_per_practice")
        ]

    def __str__(self) -> str:
        return str(self.number)


class PracticeTag(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="practice_tag_name")]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="one_tag_per_practice")
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """A measurable result of a practice: an indicator with its baseline, target and value."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    indicator = models.CharField(_("indicator"), max_length=200)
    baseline = models.CharField(_("baseline"), max_length=60, blank=True)
    target = models.CharField(_("target"), max_length=60, blank=True)
    achieved = models.CharField(_("achieved"), max_length=60, blank=True)

    class Meta:
        ordering = ["practice", "position"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return self.indicator


class PracticeEvent(models.Model):
    """One entry of a practice's history, as for assessments: who, when, what changed."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Back to draft")
        CONFIRM = "confirm", _("Confirmed still current")
        HIDE = "hide", _("Hidden by the secretariat")
        SHOW = "show", _("Shown again by the secretariat")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=list)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.practice_id} {self.kind}"


class PeerProfile(models.Model):
    """What an office says of itself for peer learning: the languages its people work in."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="peer_profile")
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.office.code}: {', '.join(self.languages)}"


class Openness(models.Model):
    """Per recommendation: is the office open to be contacted to share its experience, or to
    work jointly with offices at a similar level? Explicit, dated, revocable at once."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="openness")
    number = models.PositiveSmallIntegerField(_("recommendation"), validators=NUMBER_VALIDATORS)
    share = models.BooleanField(_("open to share its experience"), default=False)
    joint = models.BooleanField(_("open to work jointly"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["office", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="one_openness_per_number"),
        ]
        verbose_name = _("openness to be contacted")
        verbose_name_plural = _("openness to be contacted")

    def __str__(self) -> str:
        return f"{self.office.code} R{self.number}"

    @property
    def is_open(self) -> bool:
        return self.share or self.joint


class ContactRequest(models.Model):
    """A seeker office asks an open office for contact; details are exchanged on acceptance."""

    class Purpose(models.TextChoices):
        SHARE = "share", _("Learn from its experience")
        JOINT = "joint", _("Work jointly")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    seeker = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="requests_sent")
    target = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="requests_received")
    number = models.PositiveSmallIntegerField(_("recommendation"), validators=NUMBER_VALIDATORS)
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices)
    message = models.TextField(_("message"), max_length=2000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The people each side names once accepted (the contact persons of the two offices).
    seeker_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(seeker=models.F("target")), name="no_request_to_oneself"
            ),
            # One open request per pair, recommendation and purpose: asking again is a reminder.
            models.UniqueConstraint(
                fields=["seeker", "target", "number", "purpose"],
                condition=models.Q(state="pending"),
                name="one_pending_request_per_pair",
            ),
        ]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")

    def __str__(self) -> str:
        return f"{self.seeker.code} → {self.target.code} R{self.number}"

    @property
    def is_expired(self) -> bool:
        return (
            self.state == self.State.PENDING
            and (timezone.now() - self.sent_at).days >= REQUEST_EXPIRY_DAYS
        )
