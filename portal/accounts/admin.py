from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.offices.models import MemberRole, Membership, Office


def invited_membership(request) -> dict | None:
    """The office and role a link asks the add page to fill in ("?office=JP&role=respondent",
    from the cycle page's "Invite a respondent"), or None.

    Only on the page as first shown: once posted, a membership row equal to its initial
    values would count as unchanged and not be saved.
    """
    if request.method != "GET" or "office" not in request.GET:
        return None
    office = Office.objects.filter(code=request.GET["office"]).first()
    if office is None:
        return None
    role = request.GET.get("role", MemberRole.RESPONDENT)
    return {
        "office": office.pk,
        "role": role if role in MemberRole.values else MemberRole.RESPONDENT,
    }


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["office"]

    def get_extra(self, request, obj=None, **kwargs):
        # A row for the office the page was opened for; none otherwise.
        return 1 if obj is None and invited_membership(request) else self.extra


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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # On the add page ``obj`` is the person not yet saved.
        invited = invited_membership(request) if obj is None or obj._state.adding else None
        if invited and isinstance(inline, MembershipInline):
            kwargs["initial"] = [invited]
        return kwargs

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Only a superuser hands out superuser powers; the secretariat works by role.
        if obj is not None and request.user.is_superuser:
            fieldsets = fieldsets + self.superuser_fieldsets
        return fieldsets
