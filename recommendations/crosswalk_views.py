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
from portal.templatetags.written_text import isolated
from recommendations import wording
from recommendations.crosswalk import MERGED, NEW, SAME, SPLIT, Crosswalk, from_lines
from recommendations.framework_file import (
    FrameworkFileInvalid,
    framework_export,
    framework_import,
)
from recommendations.models import Framework, FrameworkFrozen
from recommendations.selectors import (
    crosswalk_lines,
    crosswalk_of,
    crosswalk_problems,
    crosswalk_stamp,
)
from recommendations.services import CrosswalkInvalid, CrosswalkStale, crosswalk_save

RENUMBERED = "renumbered"


def relation_text(walk: Crosswalk, number: int) -> tuple[str, str]:
    """What recommendation ``number`` is to the previous version, as a kind (``same``,
    ``renumbered``, ``merged``, ``split``, ``new``) and in words: "merged from 2, 8 and 9
    of 2024"."""
    relation = walk.relation(number)
    previous = walk.sources.get(number, ())
    values = {"numbers": text_list(previous), "version": isolated(walk.old)}
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
    recommendations retired; ``stamp`` is the ``crosswalk_stamp`` it was opened at."""

    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, previous, new, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(r.number), f"{r.number}. {wording.text(r, 'short_title')}") for r in previous
        ]
        self.previous, self.new = previous, new
        self.old_numbers = {str(r.number) for r in previous}
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
    def initial_of(stamp: str, lines) -> dict:
        initial: dict = {"stamp": stamp, "retired": []}
        for old, new in lines:
            key = "retired" if new is None else f"r{new}"
            initial.setdefault(key, []).append(str(old))
        return initial

    @staticmethod
    def ticks_of(data) -> dict:
        """The ticks of a posted page, as ``initial``: kept when it cannot be saved."""
        return {key: data.getlist(key) for key in data if key == "retired" or key[:1] == "r"}

    def lines(self) -> list[tuple[int, int | None]]:
        """The lines the form's ticks draw: those posted, or those it starts from."""
        if self.is_bound:
            ticked = self.cleaned_data.get
        else:
            # A kept tick of a recommendation gone since is left out, as the page leaves it.
            def ticked(name, default):
                return [old for old in self.initial.get(name, default) if old in self.old_numbers]

        lines = [
            (int(old), number) for number in self.new_numbers for old in ticked(f"r{number}", [])
        ]
        return lines + [(int(old), None) for old in ticked("retired", [])]


def _framework(version: str) -> Framework:
    return get_object_or_404(
        Framework.objects.with_frozen().select_related("derived_from"), version=version
    )


@secretariat_required
def framework_crosswalk(request: HttpRequest, version: str) -> HttpResponse:
    framework = _framework(version)
    if framework.derived_from is None:
        context = {"framework": framework, "previous": None, "problems": []}
        return render(request, "recommendations/crosswalk.html", context)
    if request.method != "POST":
        return _page(request, framework)
    if framework.is_frozen:
        # A page opened before the first submission against it: say why nothing was saved.
        messages.error(request, FrameworkFrozen(framework).messages[0])
        return _page(request, framework, status=409)
    old, new = _recommendations(framework)
    posted = CrosswalkForm(request.POST, previous=old, new=new)
    if not posted.is_valid():
        return _page(request, framework, form=posted, status=400)
    try:
        crosswalk_save(
            framework=framework, lines=posted.lines(), stamp=posted.cleaned_data["stamp"]
        )
    except CrosswalkStale:
        # Someone else's save moved what the page shows. The ticks sent are kept, beside what
        # is saved now, so that they can be sent again knowingly; nothing is written till then.
        return _page(request, _framework(version), kept=CrosswalkForm.ticks_of(request.POST))
    except CrosswalkInvalid as invalid:
        return _page(request, framework, form=posted, problems=invalid.problems, status=400)
    except FrameworkFrozen as frozen:
        messages.error(request, frozen.messages[0])
        return redirect("framework_crosswalk", version=version)
    messages.success(request, _("The crosswalk is saved."))
    return redirect("framework_crosswalk", version=version)


def _recommendations(framework: Framework) -> tuple[list, list]:
    old = list(framework.derived_from.recommendations.order_by("number"))
    return old, list(framework.recommendations.order_by("number"))


def _page(request, framework, *, form=None, problems=(), kept=None, status=200) -> HttpResponse:
    """The crosswalk page: as saved; as posted (``form``, with its ``problems``); or, after a
    stale save, with the ``kept`` ticks beside what is saved now."""
    previous = framework.derived_from
    if previous is None:  # no longer derived from any version since the page was opened
        return redirect("framework_crosswalk", version=framework.version)
    context: dict = {"framework": framework, "previous": previous, "stale": kept is not None}
    saved = None
    if form is None:
        stamp = crosswalk_stamp(framework)  # first: what the page shows is then as new
        old, new = _recommendations(framework)
        stored = crosswalk_lines(framework)
        if kept is None:
            initial = CrosswalkForm.initial_of(stamp, stored)
            problems = crosswalk_problems(framework)
        else:
            initial, saved, status = {**kept, "stamp": stamp}, stored, 409
        form = CrosswalkForm(initial=initial, previous=old, new=new)
    context["problems"] = list(problems)
    context.update(_rows(framework, form, saved, context["problems"]))
    context.update({"form": form, "editable": not framework.is_frozen})
    return render(request, "recommendations/crosswalk.html", context, status=status)


def _rows(framework, form, saved, problems) -> dict:
    """The page's rows as the form's ticks draw them; with ``saved`` (the lines stored now,
    after a stale save), each row whose ticks differ from them says what is saved."""
    previous, old, new = framework.derived_from, form.previous, form.new
    new_numbers = [r.number for r in new]
    walk = from_lines(previous.version, framework.version, new_numbers, form.lines())
    stored = (
        from_lines(previous.version, framework.version, new_numbers, saved)
        if saved is not None
        else walk
    )
    rows = []
    for recommendation in new:
        number = recommendation.number
        kind, text = relation_text(walk, number)
        differs = stored.sources[number] != walk.sources[number]
        rows.append(
            {
                "number": number,
                "title": wording.text(recommendation, "short_title"),
                "field": form[f"r{number}"],
                "kind": kind,
                "relation": text,
                "previous": walk.sources[number],
                "saved": _saved_continues(stored.sources[number]) if differs else "",
                "problems": [p for p in problems if p.recommendation == number],
            }
        )
    old_rows = []
    for recommendation in old:
        number = recommendation.number
        retired, continued_by = number in walk.retired, walk.targets(number)
        saved_retired, saved_continued_by = number in stored.retired, stored.targets(number)
        differs = (saved_retired, saved_continued_by) != (retired, continued_by)
        old_rows.append(
            {
                "number": number,
                "title": wording.text(recommendation, "short_title"),
                "retired": retired,
                "continued_by": continued_by,
                "saved": (
                    _saved_continued_by(saved_continued_by, saved_retired) if differs else ""
                ),
                "problems": [
                    p for p in problems if p.previous == number and p.recommendation is None
                ],
            }
        )
    for row, checkbox in zip(old_rows, form["retired"], strict=True):
        row["checkbox"] = checkbox
    return {"rows": rows, "old_rows": old_rows}


def _saved_continues(previous: tuple[int, ...]) -> str:
    if not previous:
        return _("Saved now: continues none (a new recommendation).")
    return _("Saved now: continues %(numbers)s.") % {"numbers": text_list(previous)}


def _saved_continued_by(continued_by: tuple[int, ...], retired: bool) -> str:
    if continued_by:
        return _("Saved now: continued by %(numbers)s.") % {"numbers": text_list(continued_by)}
    if retired:
        return _("Saved now: retired.")
    return _("Saved now: neither continued nor retired.")


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
                        _("Draft framework %(version)s is loaded.")
                        % {"version": isolated(report.version)},
                    )
                    return redirect("framework_detail", version=report.version)
                context["report"] = report
        else:
            form = posted
    status = 400 if context.get("problems") or form.errors else 200
    context["form"] = form
    return render(request, "recommendations/framework_load.html", context, status=status)
