"""The office's assessment: the form, autosave, submission, history and reopening."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments import questionnaire as q
from assessments import selectors, services
from assessments.form_page import ANSWERS_LANGUAGE, render_form
from assessments.forms import AnswersForm, ReopenForm
from assessments.held import held_pop, hold_answers
from assessments.presenters import (
    answer_warnings,
    conflict_rows,
    copy_rows,
    crosswalk_lines,
    form_data,
    held_form_data,
    history_rows,
    overall_texts,
    post_value,
    read_texts,
)
from outbox.notices import tell_if_held

# History entries (saves) per page of the history.
HISTORY_PAGE_SIZE = 100


def _form_url(code: str, year: int) -> str:
    return reverse("assessment_form", kwargs={"code": code.upper(), "year": year})


def _render_read(request, place) -> HttpResponse:
    """Readers (viewers, co-leads, the secretariat) get the answers to read, not a form."""
    assessment = selectors.with_answers(place.assessment)
    answers = sorted(assessment.answers.all(), key=lambda a: a.recommendation.number)
    labels = q.labels_for(place.cycle.framework)
    return render(
        request,
        "assessments/read.html",
        {
            "place": place,
            "assessment": assessment,
            "answers": answers,
            "texts": read_texts(answers, labels),
            "overall": overall_texts(assessment, labels),
            "warnings": answer_warnings(answers),
            "reopen_form": ReopenForm()
            if place.can_reopen and assessment.status == "submitted"
            else None,
        },
    )


@login_not_required
def assessment_form(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if not request.user.is_authenticated:
        # An expired session must not throw away what was typed: keep it for after login.
        if request.method == "POST" and hold_answers(request, code, year, full=True):
            messages.warning(
                request,
                _(
                    "Your session had expired, so your answers were not saved yet. They are kept: "
                    "log in again and they will be shown for you to save."
                ),
            )
        return redirect_to_login(_form_url(code, year))
    place = selectors.assessment_place(request.user, code, year)
    if place.assessment is None:
        return _render_start(request, place)
    if request.method == "POST":
        return _save_full_form(request, place)
    if not place.can_edit:
        return _render_read(request, place)
    held = held_pop(request, code, year)
    if held and place.can_edit:
        data = form_data(selectors.with_answers(place.assessment), held)
        form = AnswersForm(data, numbers=place.numbers)
        messages.warning(
            request,
            _(
                "These are the answers you typed before your session expired. They are not saved "
                "yet: check them and press Save."
            ),
        )
        return render_form(request, place, form=form, held=True)
    stamps = selectors.form_stamps(place, request.user)
    kept = services.held_for(place.assessment, request.user) if stamps.held else None
    if kept and not place.assessment.editing_block_reason():
        stored = services.assessment_values(selectors.with_answers(place.assessment))
        pending = {
            key: value
            for key, value in kept.values.items()
            if not services.same_answer(key, value, stored.get(key))
        }
        if not pending:
            # Saved since (by autosave, or retyped): nothing left to offer.
            services.held_discard(assessment=place.assessment, user=request.user)
            return render_form(request, place, held_server=None, stamps=stamps)
        data = held_form_data(selectors.with_answers(place.assessment), pending)
        form = AnswersForm(data, numbers=place.numbers)
        held_keys = set(pending)
        messages.warning(
            request,
            _(
                "The answers you typed while the assessment was submitted are back in the form "
                "(marked as not saved). Check them and press Save, or discard them."
            ),
        )
        return render_form(
            request, place, form=form, held=True, held_keys=held_keys, held_server=kept
        )
    return render_form(request, place, held_server=kept, stamps=stamps)


def _valid_values(form) -> dict:
    """The answers of a form that passed validation; the refused ones are left out."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name != "version" and name not in form.errors
    }


def _typed(form) -> dict:
    """Every answer as typed, the refused ones raw (kept while a save is impossible)."""
    return {**_valid_values(form), **{name: form.data.get(name, "") for name in form.errors}}


def _save_full_form(request, place) -> HttpResponse:
    if not place.can_edit:
        raise PermissionDenied
    assessment = place.assessment
    data = request.POST.copy()
    # "Use their answer" ticks from the conflict panel, applied before validation.
    taken = [name[5:] for name in data if name.startswith("take-")]
    if taken:
        stored = services.assessment_values(selectors.with_answers(assessment))
        for key in taken:
            if key in stored:
                data.setlist(key, [post_value(key, stored[key])])
    form = AnswersForm(data, numbers=place.numbers)
    form.is_valid()
    if "version" in form.errors or form.non_field_errors():
        messages.error(
            request,
            _(
                "Some answers need your attention; nothing was saved yet. "
                "The rest of what you typed is still in the form."
            ),
        )
        return render_form(request, place, form=form, status=400)
    # Answers that passed are saved; a refused one stays in the form, marked, until fixed.
    values = _valid_values(form)
    base_version = form.cleaned_data["version"]
    try:
        event = services.assessment_save(
            assessment=assessment, user=request.user, base_version=base_version, values=values
        )
    except services.StaleVersion as stale:
        # Read after the refusal, so the merge starts from what refused it.
        stored = services.assessment_values(selectors.with_answers(assessment))
        merged = _merge(form, values, stale, stored)
        messages.warning(
            request,
            _(
                "Someone else changed the answers you changed, while you were editing. Nothing "
                "of yours was saved yet and nothing of theirs was overwritten: choose below, "
                "then save again."
            ),
        )
        return render_form(
            request,
            place,
            form=merged,
            status=409,
            conflict=conflict_rows(
                stale, stale.conflicts, form.cleaned_data, q.labels_for(place.cycle.framework)
            ),
        )
    except services.NotEditable as refused:
        _hold(request, place, base_version, _typed(form), refused)
        return redirect(_form_url(place.office.code, place.cycle.year))
    if data.get(ANSWERS_LANGUAGE):
        with contextlib.suppress(ValueError):
            services.assessment_language_set(
                assessment=assessment, user=request.user, language=data[ANSWERS_LANGUAGE]
            )
    now = time_format(timezone.localtime(), "H:i")
    if form.errors:
        bound = form.data.copy()
        bound["version"] = str(assessment.version)
        messages.error(
            request,
            ngettext(
                "Saved at %(time)s, except %(count)s answer that needs your attention: it is "
                "not saved yet and is still in the form, marked.",
                "Saved at %(time)s, except %(count)s answers that need your attention: they are "
                "not saved yet and are still in the form, marked.",
                len(form.errors),
            )
            % {"time": now, "count": len(form.errors)},
        )
        return render_form(
            request, place, form=AnswersForm(bound, numbers=place.numbers), status=400
        )
    if data.get("held") == "1":
        services.held_discard(assessment=assessment, user=request.user)
    if event is not None and event.version - 1 != base_version:
        messages.success(
            request,
            _("Saved at %(time)s. Answers changed meanwhile by others were kept.") % {"time": now},
        )
    else:
        messages.success(request, _("Saved at %(time)s.") % {"time": now})
    anchor = request.POST.get("section", "")
    return redirect(
        _form_url(place.office.code, place.cycle.year)
        + (f"#{anchor}" if anchor.isidentifier() else "")
    )


def _hold(request, place, base_version: int, typed: dict, refused) -> bool:
    """Keeps on the server what was typed into an assessment that became read-only."""
    held = services.held_keep(
        assessment=place.assessment, user=request.user, base_version=base_version, values=typed
    )
    if held is None or not held.values:
        messages.error(request, refused.reason)
        return False
    assessment = place.assessment
    assessment.refresh_from_db()
    if assessment.status == assessment.Status.SUBMITTED and assessment.submitted_by:
        messages.warning(
            request,
            _(
                "%(who)s submitted this assessment at %(time)s while you were typing, so your "
                "answers could not be saved. They are kept, below, beside the submitted ones."
            )
            % {
                "who": assessment.submitted_by,
                "time": time_format(timezone.localtime(assessment.submitted_at), "H:i"),
            },
        )
    else:
        messages.warning(
            request,
            _("%(reason)s What you typed is kept, below, beside the stored answers.")
            % {"reason": refused.reason},
        )
    return True


def _merge(form, values: dict, stale, stored):
    """My changes on top of the latest answers, for the conflict panel: where we both
    changed an answer, mine is shown (the panel offers theirs)."""
    base = {key: change["base"] for key, change in stale.changes.items()}
    data = {"version": str(stale.current_version)}
    for key in form.fields:
        if key == "version":
            continue
        if key in form.errors:
            data[key] = form.data.get(key, "")
            continue
        mine = values.get(key)
        changed_by_me = not services.same_answer(key, mine, base.get(key, stored.get(key)))
        value = mine if changed_by_me or key in stale.conflicts else stored.get(key)
        posted = post_value(key, value)
        if posted:
            data[key] = posted
    return AnswersForm(data, numbers=form.numbers)


def _render_start(request, place) -> HttpResponse:
    block_reason = place.cycle.editing_block_reason()
    return render(
        request,
        "assessments/start.html",
        {
            "place": place,
            "block_reason": block_reason,
            "can_start": place.can_edit and not block_reason,
            "has_previous": selectors.has_previous_submission(place.office, place.cycle.year),
        },
    )


@login_required
@require_POST
def assessment_start_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = selectors.assessment_place(request.user, code, year)
    if not place.can_edit:
        raise PermissionDenied
    reason = place.cycle.editing_block_reason()
    if reason and place.assessment is None:
        messages.error(request, reason)
    else:
        services.assessment_start(cycle=place.cycle, office=place.office, user=request.user)
        if request.POST.get("from_last_year") == "1":
            # Shown before anything is filled, as from the form.
            return redirect(reverse("assessment_copy", kwargs={"code": code, "year": year}))
    return redirect(_form_url(code, year))


def _editable_place(request, code: str, year: int):
    place = selectors.assessment_place(request.user, code, year)
    if not place.can_edit or place.assessment is None:
        raise PermissionDenied
    return place


@login_required
def assessment_copy_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """ "Start from last year's answers": a preview of what would be filled, then the copy."""
    place = _editable_place(request, code, year)
    if request.method == "POST":
        try:
            copied = services.assessment_copy_previous(
                assessment=place.assessment,
                user=request.user,
                base_version=int(request.POST.get("version", 0) or 0),
            )
        except services.StaleVersion:
            messages.warning(
                request,
                _(
                    "Someone saved meanwhile, so the preview below may have changed: check it "
                    "again before filling."
                ),
            )
            return redirect(reverse("assessment_copy", kwargs={"code": code, "year": year}))
        except services.NotEditable as refused:
            messages.error(request, refused.reason)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s answer was filled from last year's submission and is marked in "
                    "the form until you keep or change it. Answers already given this year "
                    "were kept. You can undo the copy from the history.",
                    "%(count)s answers were filled from last year's submission and are marked "
                    "in the form until you keep or change them. Answers already given this "
                    "year were kept. You can undo the copy from the history.",
                    copied,
                )
                % {"count": copied},
            )
        return redirect(_form_url(code, year))
    previous = services.previous_submission(place.assessment)
    walk = services.copy_crosswalk(place.assessment, previous) if previous else None
    return render(
        request,
        "assessments/copy_preview.html",
        {
            "place": place,
            "assessment": place.assessment,
            "previous": previous,
            # None with a previous submission: a framework this one does not continue.
            "crosswalk": walk,
            "crosswalk_lines": crosswalk_lines(walk),
            "rows": copy_rows(
                services.copy_candidates(place.assessment, previous),
                q.labels_for(place.cycle.framework),
            ),
            "block_reason": place.assessment.editing_block_reason(),
        },
    )


@login_required
@require_POST
def assessment_keep_copied_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Keeps the copied answers of one section (or all) as this year's own."""
    place = _editable_place(request, code, year)
    section = request.POST.get("section", "")
    copied = services.copied_unconfirmed(place.assessment)
    keys = [key for key in copied if section == "all" or key.startswith(f"{section}-")]
    try:
        services.assessment_confirm_copied(
            assessment=place.assessment, user=request.user, keys=keys
        )
    except services.NotEditable as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, _("Kept as this year's answers."))
    return redirect(_form_url(code, year) + (f"#{section}" if section.isidentifier() else ""))


@login_required
@require_POST
def assessment_undo_copy_view(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    place = _editable_place(request, code, year)
    try:
        event = services.assessment_undo_copy(
            assessment=place.assessment, user=request.user, event_id=pk
        )
    except services.NotEditable as refused:
        messages.error(request, refused.reason)
    else:
        if event is None:
            messages.info(
                request, _("Nothing left to undo: every copied answer was changed since.")
            )
        else:
            messages.success(
                request,
                ngettext(
                    "Copy undone: %(count)s answer is back to what it was. Answers changed "
                    "after the copy were kept.",
                    "Copy undone: %(count)s answers are back to what they were. Answers changed "
                    "after the copy were kept.",
                    len(event.changes),
                )
                % {"count": len(event.changes)},
            )
    return redirect(reverse("assessment_history", kwargs={"code": code, "year": year}))


@login_required
@require_POST
def assessment_held_discard_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = _editable_place(request, code, year)
    services.held_discard(assessment=place.assessment, user=request.user)
    messages.success(request, _("The answers you had typed were discarded."))
    return redirect(_form_url(code, year))


@login_required
@require_POST
def assessment_reopen_request_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = _editable_place(request, code, year)
    try:
        with tell_if_held(request):
            held = services.reopen_request(assessment=place.assessment, user=request.user)
    except services.NotEditable as refused:
        messages.error(request, refused.reason)
    else:
        if held is not None:
            messages.success(
                request,
                _(
                    "The secretariat has been asked to reopen the assessment. Your answers stay "
                    "kept here; once it is reopened they are offered back for you to save."
                ),
            )
    return redirect(_form_url(code, year))


@login_not_required
def assessment_autosave(request: HttpRequest, code: str, year: int) -> JsonResponse:
    # Scripts get JSON, never a login page: the form's script then offers to log in again.
    if not request.user.is_authenticated:
        if request.method == "POST":
            hold_answers(request, code, year, full=False)
        return JsonResponse(
            {
                "error": "session_expired",
                "message": _(
                    "Your session has expired. What you typed is kept: log in again to save it."
                ),
                "login_url": f"{reverse('login')}?next={_form_url(code, year)}",
            },
            status=401,
        )
    if request.method != "POST":
        return JsonResponse({"error": "method_not_allowed"}, status=405)
    try:
        place = selectors.assessment_place(request.user, code, year)
    except Http404:
        return JsonResponse({"error": "not_found"}, status=404)
    if not place.can_edit or place.assessment is None:
        return JsonResponse(
            {"error": "forbidden", "message": _("You can read this assessment, not change it.")},
            status=403,
        )
    data = request.POST.copy()
    language = data.pop(ANSWERS_LANGUAGE, [None])[-1]
    form = AnswersForm(data, numbers=place.numbers, partial=True)
    form.is_valid()
    values = _valid_values(form)
    refused = {name: errors for name, errors in form.errors.items()}
    if "version" in form.errors or form.non_field_errors() or not (values or language):
        return JsonResponse(
            {
                "error": "invalid",
                "errors": refused,
                "message": _("Not saved: some answers need your attention."),
            },
            status=400,
        )
    base_version = form.cleaned_data["version"]
    event = None
    try:
        if values:
            event = services.assessment_save(
                assessment=place.assessment,
                user=request.user,
                base_version=base_version,
                values=values,
            )
        if language:
            try:
                services.assessment_language_set(
                    assessment=place.assessment, user=request.user, language=language
                )
                values[ANSWERS_LANGUAGE] = language
            except ValueError:
                refused[ANSWERS_LANGUAGE] = [_("Choose one of the portal’s languages.")]
    except services.StaleVersion as stale:
        return JsonResponse(
            {
                "error": "conflict",
                "version": stale.current_version,
                "message": _("Someone else changed the same answers meanwhile."),
                "changes": [
                    {
                        "field": key,
                        "label": q.label(key, q.labels_for(place.cycle.framework)),
                        "by": str(change["user"]) if change["user"] else "",
                        "value": q.display_value(key, change["current"]),
                    }
                    for key, change in stale.changes.items()
                    if key in stale.conflicts
                ],
            },
            status=409,
        )
    except services.NotEditable as refused_save:
        held = services.held_keep(
            assessment=place.assessment,
            user=request.user,
            base_version=base_version,
            values=_typed(form),
        )
        return JsonResponse(
            {
                "error": "read_only",
                "held": bool(held and held.values),
                "message": refused_save.reason
                + (
                    " "
                    + _(
                        "What you typed is kept on the portal: reload the page to see it "
                        "beside the stored answers."
                    )
                    if held and held.values
                    else ""
                ),
            },
            status=403,
        )
    assessment = place.assessment
    now = timezone.localtime()
    # What others saved since the page's version, for the page to show (never over typing);
    # read only when someone else saved meanwhile.
    others_saved = assessment.version - (1 if event is not None else 0) != base_version
    updated = (
        {
            key: post_value(key, change["current"])
            for key, change in services.changes_since(assessment, base_version).items()
            if key not in values
        }
        if others_saved
        else {}
    )
    if refused:
        message = ngettext(
            "Saved at %(time)s, except %(count)s answer that needs your attention.",
            "Saved at %(time)s, except %(count)s answers that need your attention.",
            len(refused),
        ) % {"time": time_format(now, "H:i"), "count": len(refused)}
    else:
        message = _("Saved at %(time)s") % {"time": time_format(now, "H:i")}
    return JsonResponse(
        {
            "version": assessment.version,
            "saved_at": now.isoformat(),
            "message": message,
            "saved": sorted(values),
            "refused": refused,
            "updated": updated,
            # Counted by the save where it wrote answers; else by the database.
            "complete": getattr(assessment, "complete_sections", None)
            if event is not None
            else services.complete_count(assessment),
        }
    )


@login_required
def assessment_review(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = selectors.assessment_place(request.user, code, year)
    if place.assessment is None:
        return redirect(_form_url(code, year))
    assessment = selectors.with_answers(place.assessment)
    status = 200
    if request.method == "POST":
        if not place.can_edit:
            raise PermissionDenied
        try:
            with tell_if_held(request):
                services.assessment_submit(
                    assessment=assessment,
                    user=request.user,
                    base_version=int(request.POST.get("version", 0)),
                )
        except services.Incomplete:
            messages.error(request, _("Not submitted: some answers are still missing."))
            status = 400
        except services.StaleVersion:
            messages.warning(
                request,
                _("Someone saved changes meanwhile: check the summary again before submitting."),
            )
            return redirect(reverse("assessment_review", kwargs={"code": code, "year": year}))
        except services.NotEditable as refused:
            messages.error(request, refused.reason)
        else:
            messages.success(request, _("Submitted. Thank you! The assessment is now read-only."))
            return redirect(_form_url(code, year))
        assessment = selectors.with_answers(place.assessment)
    missing = services.assessment_missing(assessment)
    recommendations = list(selectors.recommendations_with_levels(place.cycle))
    answers = sorted(assessment.answers.all(), key=lambda a: a.recommendation.number)
    labels = q.labels_for(place.cycle.framework)
    return render(
        request,
        "assessments/review.html",
        {
            "place": place,
            "assessment": assessment,
            "missing": [
                {
                    "recommendation": r,
                    "questions": [labels[name] for name in missing.by_recommendation[r.number]],
                }
                for r in recommendations
                if r.number in missing.by_recommendation
            ],
            "answers": answers,
            "warnings": answer_warnings(answers),
            "editable": place.can_edit and not assessment.editing_block_reason(),
        },
        status=status,
    )


@login_required
def assessment_history(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = selectors.assessment_place(request.user, code, year)
    if place.assessment is None or place.role == "colead":
        raise Http404
    events = place.assessment.events.select_related("user").order_by("-version", "-pk")
    # A few hours of typing make thousands of autosaves: a page holds a bounded number.
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    editable = place.can_edit and not place.assessment.editing_block_reason()
    undoable = {
        event.pk
        for event in page.object_list
        if editable and services.copy_still_undoable(place.assessment, event)
    }
    return render(
        request,
        "assessments/history.html",
        {
            "place": place,
            "assessment": place.assessment,
            "events": history_rows(page.object_list, q.labels_for(place.cycle.framework)),
            "page": page,
            "undoable": undoable,
            "reopen_form": ReopenForm()
            if place.can_reopen and place.assessment.status == "submitted"
            else None,
        },
    )


@login_required
@require_POST
def assessment_reopen_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = selectors.assessment_place(request.user, code, year)
    if not place.can_reopen or place.assessment is None:
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for reopening: the office reads it."))
    else:
        try:
            with tell_if_held(request) as held:
                services.assessment_reopen(
                    assessment=place.assessment,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
                if held.messages:
                    messages.success(request, _("Reopened."))
                else:
                    messages.success(
                        request, _("Reopened. The office's respondents have been told by e-mail.")
                    )
        except services.NotEditable as refused:
            messages.error(request, refused.reason)
    if request.POST.get("back") == "cycle" and request.user.is_secretariat:
        # Reopened from the cycle's response tracker: back to it, where the row now says so.
        return redirect(reverse("cycle_detail", kwargs={"year": year}) + f"#office-{code.upper()}")
    return redirect(reverse("assessment_history", kwargs={"code": code, "year": year}))
