from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteRole(models.TextChoices):
    NONE = "", _("Office staff or none")
    COLEAD = "colead", _("Task-force co-lead")
    SECRETARIAT = "secretariat", _("Secretariat")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # People type their address in any case; one account per address whatever the case.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
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

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and (self.site_role == SiteRole.SECRETARIAT or self.is_superuser)

    @property
    def is_colead(self) -> bool:
        return self.is_active and self.site_role == SiteRole.COLEAD
