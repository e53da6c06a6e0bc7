from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from recommendations.models import (
    SOURCE_LANGUAGE,
    Framework,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
    column,
)
from recommendations.services import framework_problems, framework_save


def translation_columns(model) -> list[str]:
    """What the admin leaves out of a framework form: the admin edits the English source
    wording; translations are loaded and edited on the framework's translation pages. (The
    plain field would mean "the admin's own language" under modeltranslation.)"""
    return [
        name
        for field in model.translated_fields
        for name in (
            field,
            *(
                column(field, language)
                for language in settings.MODELTRANSLATION_LANGUAGES
                if language != SOURCE_LANGUAGE
            ),
        )
    ]


class FrozenAware:
    """Everything of a frozen framework is shown read-only."""

    def framework_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.framework_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.framework_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class FrozenAwareInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not (
            obj is not None and obj.get_framework().is_frozen
        ) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (
            obj is not None and obj.get_framework().is_frozen
        ) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (
            obj is not None and obj.get_framework().is_frozen
        ) and super().has_delete_permission(request, obj)


class QuestionLabelInline(FrozenAwareInline):
    model = QuestionLabel
    exclude = translation_columns(QuestionLabel)


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    fields = ["number", "short_title_en", "edit_link"]
    readonly_fields = ["edit_link"]
    extra = 0

    @admin.display(description=_("actions and levels"))
    def edit_link(self, recommendation):
        if not recommendation.pk:
            return ""
        url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit wording, actions and levels"))

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.is_frozen) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.is_frozen) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_frozen) and super().has_delete_permission(
            request, obj
        )


class FrameworkForm(forms.ModelForm):
    # The fields are the admin's (its ``exclude``): this form adds the framework check.
    # What it found is handed to framework_save (FrameworkAdmin.save_model), which would
    # otherwise ask the same questions of the database a second time.
    problems_found: list | None = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # The one check of services.framework_save, answered beside the field it is about.
        self.problems_found = framework_problems(self.instance)
        for problem in self.problems_found:
            field = "derived_from" if problem.place == "derived_from" else "status"
            message = problem.message
            if field == "status":
                message = _("Cannot be made active: %(problem)s") % {"problem": message}
            self.add_error(field if field in self.fields else None, message)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    form = FrameworkForm
    list_display = ["version", "title", "document_symbol", "status", "is_frozen_display"]
    list_filter = ["status"]
    exclude = translation_columns(Framework)
    inlines = [RecommendationInline, QuestionLabelInline]
    actions = ["new_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_frozen()

    @admin.display(description=_("read-only"), boolean=True)
    def is_frozen_display(self, framework):
        return framework.is_frozen

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            # Retiring a frozen framework stays possible: it changes no wording.
            return [f.name for f in obj._meta.fields if f.name not in {"id", "status"}]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        framework_save(framework=obj, problems=form.problems_found)

    @admin.action(description=_("New version from this one"))
    def new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one framework."), messages.WARNING)
            return None
        return redirect("framework_detail", version=queryset.get().version)


class RecommendedActionInline(FrozenAwareInline):
    model = RecommendedAction
    # The English source only (translation_columns), then the step it moves an office across.
    fields = ["position", column("text", SOURCE_LANGUAGE), "moves_from_level"]

    def has_change_permission(self, request, obj=None):
        # Open on a frozen framework too, for the step each action moves an office across:
        # guidance, not wording (RecommendedAction.guidance_fields); the rest is read-only.
        return admin.TabularInline.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.get_framework().is_frozen:
            return ["position", column("text", SOURCE_LANGUAGE)]
        return super().get_readonly_fields(request, obj)


class MaturityLevelInline(FrozenAwareInline):
    model = MaturityLevel
    exclude = translation_columns(MaturityLevel)
    max_num = 5


@admin.register(Recommendation)
class RecommendationAdmin(FrozenAware, admin.ModelAdmin):
    list_display = ["framework", "number", "short_title"]
    list_filter = ["framework"]
    exclude = translation_columns(Recommendation)
    inlines = [RecommendedActionInline, MaturityLevelInline]

    def framework_of(self, obj):
        return obj.framework

    def has_change_permission(self, request, obj=None):
        # A frozen framework's recommendation still opens, all its wording read-only, for
        # its actions' steps (RecommendedActionInline).
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.framework.is_frozen:
            return [
                field.name
                for field in Recommendation._meta.fields
                if field.name != "id" and field.name not in self.exclude
            ]
        return super().get_readonly_fields(request, obj)
