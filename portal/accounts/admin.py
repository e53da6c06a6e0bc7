from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.offices.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["office"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "preferred_language")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [MembershipInline]
    ordering = ["email"]
    search_fields = ["email", "first_name", "last_name", "memberships__office__code"]
    list_display = ["email", "first_name", "last_name", "site_role", "offices", "is_active"]
    list_filter = ["site_role", "is_active", "memberships__role", "preferred_language"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (_("Role"), {"fields": ("site_role", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (
            _("Django permissions"),
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_changeform_initial_data(self, request):
        # Whoever adds a person most often writes to them in the language they work in;
        # they can choose another for the invitee.
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("preferred_language", translation.get_language())
        return initial

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__office")

    @admin.display(description=_("offices"))
    def offices(self, user):
        return ", ".join(
            f"{m.office.code} ({m.get_role_display()})" for m in user.memberships.all()
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Only a superuser hands out superuser powers; the secretariat works by role.
        if obj is not None and request.user.is_superuser:
            fieldsets = fieldsets + self.superuser_fieldsets
        return fieldsets
