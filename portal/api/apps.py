from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from portal.api import schema  # noqa: F401 - registers the token scheme with the schema
