from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One security-relevant event. Written by the portal, never edited or deleted by it."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGIN_LOCKED = "login_locked", _("Login refused: too many failures")
        LOGOUT = "logout", _("Logged out")
        TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor authentication set up")
        TWO_FACTOR_FAILED = "2fa_failed", _("Wrong two-factor code")
        TWO_FACTOR_REMOVED = "2fa_removed", _("Two-factor authentication turned off")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
        REOPENED = "reopened", _("Assessment reopened")
        EXPORT = "export", _("Export asked for")
        EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        TOKEN_REFUSED = "token_refused", _("API token refused")
        PRACTICE_CREATED = "practice_created", _("Practice described")
        PRACTICE_PUBLISHED = "practice_published", _("Practice published")
        PRACTICE_UNPUBLISHED = "practice_unpublished", _("Practice taken back to draft")
        PRACTICE_HIDDEN = "practice_hidden", _("Practice hidden by the secretariat")
        PRACTICE_SHOWN = "practice_shown", _("Practice shown again by the secretariat")
        OPENNESS_CHANGED = "openness_changed", _("Openness to be contacted changed")
        CONTACT_REQUESTED = "contact_requested", _("Contact request sent")
        CONTACT_ACCEPTED = "contact_accepted", _("Contact request accepted")
        CONTACT_DECLINED = "contact_declined", _("Contact request declined")
        CONTACT_WITHDRAWN = "contact_withdrawn", _("Contact request withdrawn")
        CONTACT_EXPIRED = "contact_expired", _("Contact request expired unanswered")
        FRAMEWORK_MADE = "framework_made", _("Framework version made")
        CROSSWALK_SAVED = "crosswalk_saved", _("Crosswalk saved")
        FRAMEWORK_TRANSLATED = "framework_translated", _("Framework translation changed")

    at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as typed: a failed login names no user row, and a deleted user stays readable.
    username = models.CharField(_("user name"), max_length=254, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"
