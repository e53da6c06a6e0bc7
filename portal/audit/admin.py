from django.contrib import admin

from portal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The log as the portal wrote it: readable by the secretariat, changeable by no one,
    a superuser included (a log its readers can edit proves nothing)."""

    list_display = ["at", "kind", "username", "address", "object_repr"]
    list_filter = ["kind"]
    search_fields = ["username", "object_repr"]
    date_hierarchy = "at"
    actions = None
    fields = [
        "at",
        "kind",
        "user",
        "username",
        "address",
        "object_type",
        "object_id",
        "object_repr",
        "detail",
    ]
    readonly_fields = fields

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        # By role, as the rest of the console (portal.accounts.backends.RoleBackend).
        return request.user.is_active and request.user.is_secretariat

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
