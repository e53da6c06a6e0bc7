from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.permissions import secretariat_required
from portal.templatetags.written_text import isolated
from recommendations import wording
from recommendations.crosswalk_views import what_changed
from recommendations.models import LEVELS, Framework, MaturityLevel, RecommendedAction
from recommendations.services import framework_copy


class FrameworkCopyForm(forms.Form):
    version = forms.CharField(
        label=gettext_lazy("Version label of the copy"),
        max_length=20,
        help_text=gettext_lazy("For example 2027."),
    )

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if Framework.objects.filter(version=version).exists():
            raise forms.ValidationError(
                _("Version %(version)s exists already.") % {"version": isolated(version)}
            )
        return version


def _frameworks_visible_to(user):
    # Drafts are work in progress of the secretariat.
    frameworks = Framework.objects.with_frozen()
    if not user.is_secretariat:
        frameworks = frameworks.exclude(status=Framework.Status.DRAFT)
    return frameworks


@login_required
def framework_detail(request: HttpRequest, version: str | None = None) -> HttpResponse:
    if version is None:
        framework = Framework.objects.current()
        if framework is None:
            raise Http404(_("No framework is active yet."))
        return redirect("framework_detail", version=framework.version)
    return _render_framework(request, version)


def _render_framework(request, version: str, copy_form=None, status: int = 200):
    frameworks = _frameworks_visible_to(request.user)
    framework = get_object_or_404(frameworks, version=version)
    recommendations = framework.recommendations.prefetch_related(
        Prefetch("actions", queryset=RecommendedAction.objects.order_by("position")),
        Prefetch("levels", queryset=MaturityLevel.objects.order_by("level")),
    )
    blocks = [wording.recommendation_block(recommendation) for recommendation in recommendations]
    level_names = {}
    for block in blocks:
        for level in block["levels"]:
            level_names.setdefault(level["level"], level["name"])
    if copy_form is None and request.user.is_secretariat:
        copy_form = FrameworkCopyForm()
    return render(
        request,
        "recommendations/framework_detail.html",
        {
            "framework": framework,
            "frameworks": frameworks.only("version", "title", "status"),
            "recommendations": blocks,
            "title": wording.text(framework, "title"),
            # Not translated: the note on where the English wording comes from.
            "source_note": wording.Text(framework.source_note, wording.SOURCE_LANGUAGE),
            "translation": wording.translation_of(framework),
            "levels": [(number, level_names.get(number, "")) for number in LEVELS],
            "copy_form": copy_form,
            "changes": what_changed(
                framework, {block["number"]: block["short_title"] for block in blocks}
            ),
        },
        status=status,
    )


@secretariat_required
@require_POST
def framework_copy_view(request: HttpRequest, version: str) -> HttpResponse:
    framework = get_object_or_404(Framework, version=version)
    form = FrameworkCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = framework_copy(framework=framework, version=form.cleaned_data["version"])
        except IntegrityError:  # the same label, made by someone else a moment ago
            form.add_error(
                "version",
                _("Version %(version)s exists already.")
                % {"version": isolated(form.cleaned_data["version"])},
            )
        else:
            messages.success(
                request,
                _(
                    "Draft framework %(version)s created from %(source)s. Edit its wording, "
                    "then make it active."
                )
                % {"version": isolated(copy.version), "source": isolated(framework.version)},
            )
            return redirect(reverse("admin:recommendations_framework_change", args=[copy.pk]))
    # Answered in place, beside the field, with what was typed still in it.
    return _render_framework(request, framework.version, copy_form=form, status=400)
