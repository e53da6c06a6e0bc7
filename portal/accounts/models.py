import unicodedata

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.languages import language_choices


class SiteRole(models.TextChoices):
    NONE = "", _("Office staff or none")
    COLEAD = "colead", _("Task-force co-lead")
    SECRETARIAT = "secretariat", _("Secretariat")


def email_normalised(typed: str) -> str:
    """The one form of an e-mail address that the portal stores, looks up and counts failed
    logins under: Unicode NFKC with case folded (``ROBIN@``, ``ｒｏｂｉｎ@`` and ``robin@``
    are one address, as are ``straße@`` and ``strasse@``).

    Lookups compare this form exactly. Comparing "whatever the case" in the database
    instead follows the database's collation, where PostgreSQL's upper() makes the dotless
    ``ı`` an ``I``: ``robın@`` reached robin's account with a failure count of its own.
    """
    folded = unicodedata.normalize("NFKC", typed.strip()).casefold()
    # Folding can undo the normal form (NFKC of the casefold, as Unicode's NFKC_Casefold).
    return unicodedata.normalize("NFKC", folded)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # The login's lookup (ModelBackend) and the login throttle's (accounts.lockout).
        if not isinstance(email, str):
            raise self.model.DoesNotExist
        return self.get(email=email_normalised(email))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=email_normalised(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    site_role = models.CharField(
        _("site-wide role"),
        max_length=16,
        choices=SiteRole.choices,
        blank=True,
        default="",
        help_text=_(
            "Co-leads read every submission and the dashboards; the secretariat "
            "runs the cycles. Office roles are set by office memberships."
        ),
    )

    # Empty until the person (or whoever invited them) chooses: e-mails then go out in the
    # portal's default language.
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices(),
        blank=True,
        default="",
        help_text=_(
            "The portal opens in this language when you log in; e-mails are written in it."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        # Before the forms check that the address is free: in the form that is stored.
        self.email = email_normalised(self.email or "")

    def save(self, *args, **kwargs):
        self.email = email_normalised(self.email or "")
        super().save(*args, **kwargs)

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and (self.site_role == SiteRole.SECRETARIAT or self.is_superuser)

    @property
    def is_colead(self) -> bool:
        return self.is_active and self.site_role == SiteRole.COLEAD
