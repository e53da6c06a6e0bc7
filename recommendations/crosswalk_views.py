"""The crosswalk of a framework version on the pages: the secretariat's editor, the framework
file in and out, and the "what changed" every reader sees (docs/framework-evolution.md)."""

import json
import re

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from assessments.import_views import SurveyImportForm
from portal.languages import text_list
from portal.permissions import secretariat_required
from recommendations import wording
from recommendations.crosswalk import MERGED, NEW, SAME, SPLIT, Crosswalk, from_lines
from recommendations.framework_file import (
    FrameworkFileInvalid,
    framework_export,
    framework_import,
)
from recommendations.models import Framework, FrameworkFrozen
from recommendations.selectors import crosswalk_lines, crosswalk_of, crosswalk_problems
from recommendations.services import CrosswalkInvalid, CrosswalkStale, crosswalk_save

RENUMBERED = "renumbered"


def relation_text(walk: Crosswalk, number: int) -> tuple[str, str]:
    """What recommendation ``number`` is to the previous version, as a kind (``same``,
    ``renumbered``, ``merged``, ``split``, ``new``) and in words: "merged from 2, 8 and 9
    of 2024"."""
    relation = walk.relation(number)
    previous = walk.sources.get(number, ())
    values = {"numbers": text_list(previous), "version": walk.old}
    if relation == SAME and previous != (number,):
        return RENUMBERED, _("was %(numbers)s of %(version)s") % values
    if relation == SAME:
        return SAME, _("the same as %(numbers)s of %(version)s") % values
    if relation == MERGED:
        return MERGED, _("merged from %(numbers)s of %(version)s") % values
    if relation == SPLIT:
        return SPLIT, _("split from %(numbers)s of %(version)s") % values
    return NEW, pgettext("a recommendation", "new")


def what_changed(framework: Framework, titles: dict[int, object]) -> dict | None:
    """The framework page's "What changed since version X": the recommendations that are not
    simply the one of the same number, and the retired ones; None for a first version or one
    that changed nothing."""
    walk = crosswalk_of(framework)
    if walk is None or walk.is_identity:
        return None
    rows = []
    for number in sorted(walk.sources):
        kind, text = relation_text(walk, number)
        if kind != SAME:
            rows.append({"number": number, "title": titles.get(number), "kind": kind, "text": text})
    return {"old": walk.old, "rows": rows, "retired": text_list(walk.retired)}


# --- The secretariat's editor ----------------------------------------------------------------


class CrosswalkForm(forms.Form):
    """One field a new recommendation (the previous ones it continues) and the previous
    recommendations retired; ``stamp`` is the framework's ``updated_at`` it was opened at."""

    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, previous, new, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(r.number), f"{r.number}. {wording.text(r, 'short_title')}") for r in previous
        ]
        self.new_numbers = [r.number for r in new]
        for recommendation in new:
            self.fields[f"r{recommendation.number}"] = forms.MultipleChoiceField(
                label=_("Continues"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["retired"] = forms.MultipleChoiceField(
            label=gettext_lazy("Retired"),
            choices=choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    @staticmethod
    def initial_for(framework: Framework) -> dict:
        initial: dict = {"stamp": framework.updated_at.isoformat(), "retired": []}
        for old, new in crosswalk_lines(framework):
            key = "retired" if new is None else f"r{new}"
            initial.setdefault(key, []).append(str(old))
        return initial

    def lines(self) -> list[tuple[int, int | None]]:
        lines = [
            (int(old), number)
            for number in self.new_numbers
            for old in self.cleaned_data.get(f"r{number}", [])
        ]
        return lines + [(int(old), None) for old in self.cleaned_data.get("retired", [])]


def _framework(version: str) -> Framework:
    return get_object_or_404(
        Framework.objects.with_frozen().select_related("derived_from"), version=version
    )


@secretariat_required
def framework_crosswalk(request: HttpRequest, version: str) -> HttpResponse:
    framework = _framework(version)
    previous = framework.derived_from
    context: dict = {"framework": framework, "previous": previous, "problems": []}
    if previous is None:
        return render(request, "recommendations/crosswalk.html", context)
    old = list(previous.recommendations.order_by("number"))
    new = list(framework.recommendations.order_by("number"))
    editable = not framework.is_frozen
    status = 200
    form = CrosswalkForm(initial=CrosswalkForm.initial_for(framework), previous=old, new=new)
    if request.method == "POST" and not editable:
        # A page opened before the first submission against it: say why nothing was saved.
        messages.error(request, FrameworkFrozen(framework).messages[0])
        status = 409
    elif request.method == "POST":
        posted = CrosswalkForm(request.POST, previous=old, new=new)
        status = 400
        if posted.is_valid():
            try:
                crosswalk_save(
                    framework=framework, lines=posted.lines(), stamp=posted.cleaned_data["stamp"]
                )
            except CrosswalkStale:
                # What the colleague saved is shown; what was typed here is not kept.
                context["stale"] = True
                status = 409
                framework = _framework(version)
                form = CrosswalkForm(
                    initial=CrosswalkForm.initial_for(framework), previous=old, new=new
                )
            except CrosswalkInvalid as invalid:
                context["problems"] = invalid.problems
                form = posted
            except FrameworkFrozen as frozen:
                messages.error(request, frozen.messages[0])
                return redirect("framework_crosswalk", version=version)
            else:
                messages.success(request, _("The crosswalk is saved."))
                return redirect("framework_crosswalk", version=version)
        else:
            form = posted
    if form.is_bound:
        shown_lines = form.lines()
    else:
        shown_lines = crosswalk_lines(framework)
        context["problems"] = crosswalk_problems(framework)
    context.update(_rows(framework, previous, old, new, form, shown_lines, context["problems"]))
    context.update({"form": form, "editable": editable})
    return render(request, "recommendations/crosswalk.html", context, status=status)


def _rows(framework, previous, old, new, form, lines, problems) -> dict:
    walk = from_lines(previous.version, framework.version, [r.number for r in new], lines)
    rows = []
    for recommendation in new:
        kind, text = relation_text(walk, recommendation.number)
        rows.append(
            {
                "number": recommendation.number,
                "title": wording.text(recommendation, "short_title"),
                "field": form[f"r{recommendation.number}"],
                "kind": kind,
                "relation": text,
                "previous": walk.sources[recommendation.number],
                "problems": [p for p in problems if p.recommendation == recommendation.number],
            }
        )
    old_rows = [
        {
            "number": recommendation.number,
            "title": wording.text(recommendation, "short_title"),
            "retired": recommendation.number in walk.retired,
            "continued_by": walk.targets(recommendation.number),
            "problems": [
                p
                for p in problems
                if p.previous == recommendation.number and p.recommendation is None
            ],
        }
        for recommendation in old
    ]
    for row, checkbox in zip(old_rows, form["retired"], strict=True):
        row["checkbox"] = checkbox
    return {"rows": rows, "old_rows": old_rows}


# --- The framework file ----------------------------------------------------------------------


class FrameworkFileForm(SurveyImportForm):
    """The survey import's upload (size, UTF-8, JSON checks, dry run), for a framework file."""

    file = forms.FileField(
        label=gettext_lazy("Framework file (JSON)"),
        help_text=gettext_lazy("At most 5 MB, in the format described below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


@secretariat_required
def framework_file(request: HttpRequest, version: str) -> HttpResponse:
    framework = _framework(version)
    document = framework_export(framework)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    safe_version = re.sub(r"[^\w.-]", "_", framework.version)
    response["Content-Disposition"] = f'attachment; filename="framework_{safe_version}.json"'
    return response


@secretariat_required
def framework_load(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    form = FrameworkFileForm()
    if request.method == "POST":
        posted = FrameworkFileForm(request.POST, request.FILES)
        if posted.is_valid():
            upload = posted.cleaned_data["file"]
            context["file_name"] = upload.name
            try:
                report = framework_import(data=upload.data, dry_run=posted.cleaned_data["dry_run"])
            except FrameworkFileInvalid as invalid:
                context["problems"] = invalid.problems
            else:
                if not report.dry_run:
                    messages.success(
                        request,
                        _("Draft framework %(version)s is loaded.") % {"version": report.version},
                    )
                    return redirect("framework_detail", version=report.version)
                context["report"] = report
        else:
            form = posted
    status = 400 if context.get("problems") or form.errors else 200
    context["form"] = form
    return render(request, "recommendations/framework_load.html", context, status=status)
