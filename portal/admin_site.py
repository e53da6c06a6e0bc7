from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("ICT maturity portal – secretariat console")
    site_title = _("Secretariat console")
    index_title = _("Frameworks, cycles, offices and people")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_secretariat", False))


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
