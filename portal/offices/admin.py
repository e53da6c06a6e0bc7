from django.contrib import admin

from portal.offices.models import Membership, Office


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "office_type"]
    list_filter = ["region", "office_type"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
