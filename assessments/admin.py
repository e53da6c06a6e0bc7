from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Answer, Assessment, Cycle, Invitation


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ["office"]
    readonly_fields = ["sent_at"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "framework", "opens_on", "closes_on", "invited", "submitted"]
    inlines = [InvitationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("framework")
            .annotate(
                invited_count=Count("invitations", distinct=True),
                submitted_count=Count(
                    "assessments",
                    filter=Q(assessments__status=Assessment.Status.SUBMITTED),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("invited"), ordering="invited_count")
    def invited(self, cycle):
        return cycle.invited_count

    @admin.display(description=_("submitted"), ordering="submitted_count")
    def submitted(self, cycle):
        return cycle.submitted_count


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recommendation")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["office", "cycle", "status", "submitted_at", "updated_at"]
    list_filter = ["cycle", "status", "office__region"]
    search_fields = ["office__code", "office__name"]
    list_select_related = ["office", "cycle"]
    inlines = [AnswerInline]
    readonly_fields = ["version", "submitted_at", "submitted_by", "updated_at", "updated_by"]
