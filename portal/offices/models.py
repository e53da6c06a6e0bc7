from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.offices import st3
from portal.offices.fields import ST3CodeField


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    EUROPE = "europe", _("Europe")
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    NORTH_AMERICA = "north_america", _("North America")
    REGIONAL_ORGANIZATIONS = "regional_organizations", _("Regional IP organizations")


class OfficeType(models.TextChoices):
    NATIONAL = "national", _("National office")
    REGIONAL = "regional", _("Regional office")


class OfficeQuerySet(models.QuerySet):
    def for_user(self, user):
        """The offices whose own pages this person may open."""
        if not user.is_authenticated:
            return self.none()
        if user.is_secretariat or user.is_colead:
            return self
        return self.filter(memberships__user=user).distinct()


class Office(models.Model):
    code = ST3CodeField(_("ST.3 code"), unique=True)
    name = models.CharField(_("official name"), max_length=200)
    region = models.CharField(
        _("region"),
        max_length=32,
        choices=Region.choices,
        blank=True,
        help_text=_("Left empty, it is taken from the ST.3 code."),
    )
    office_type = models.CharField(
        _("type"),
        max_length=16,
        choices=OfficeType.choices,
        blank=True,
        help_text=_("Left empty, it is taken from the ST.3 code."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def clean(self) -> None:
        entry = st3.lookup(self.code or "")
        if entry is None:
            return  # the field validator has already said why
        if not self.region:
            self.region = entry.region
        if not self.office_type:
            self.office_type = OfficeType.REGIONAL if entry.is_organization else OfficeType.NATIONAL
        if self.office_type == OfficeType.NATIONAL and entry.is_organization:
            raise ValidationError(
                {
                    "office_type": _("%(code)s is an organization, not a state.")
                    % {"code": self.code}
                }
            )


class MemberRole(models.TextChoices):
    RESPONDENT = "respondent", _("Respondent")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A person's role in one office: respondents edit its assessments, viewers read them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="one_role_per_office"),
        ]
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.office.code} ({self.get_role_display()})"
