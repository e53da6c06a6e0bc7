"""The office's assessment: the form, autosave, submission, history and reopening."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import questionnaire as q
from assessments import selectors, services
from assessments.forms import AnswersForm, ReopenForm
from assessments.held import held_pop, hold_answers
from assessments.presenters import conflict_rows, form_data, history_rows, sections
from outbox.notices import tell_if_held


def _form_url(code: str, year: int) -> str:
    return reverse("assessment_form", kwargs={"code": code.upper(), "year": year})


def _render_form(request, place, *, form=None, conflict=None, status=200, held=False):
    assessment = place.assessment
    recommendations = list(selectors.recommendations_with_levels(place.cycle))
    answers = selectors.answers_by_number(assessment)
    numbers = [r.number for r in recommendations]
    if form is None:
        form = AnswersForm(
            initial={"version": assessment.version, **_initial(answers, assessment)},
            numbers=numbers,
        )
    block_reason = assessment.editing_block_reason()
    editable = place.can_edit and not block_reason
    section_list = sections(recommendations, answers, form)
    return render(
        request,
        "assessments/form.html",
        {
            "place": place,
            "assessment": assessment,
            "form": form,
            "sections": section_list,
            "complete": sum(1 for section in section_list if section["complete"]),
            "total": len(section_list),
            "editable": editable,
            "block_reason": block_reason,
            "conflict": conflict,
            "held": held,
            "reopen_form": ReopenForm()
            if place.can_reopen and assessment.status == "submitted"
            else None,
            "has_previous": editable
            and selectors.has_previous_submission(place.office, place.cycle.year),
        },
        status=status,
    )


def _initial(answers, assessment) -> dict:
    initial = {}
    for number, answer in answers.items():
        for question in q.PER_RECOMMENDATION:
            initial[q.key(number, question.name)] = getattr(answer, question.name)
    for question in q.OVERALL:
        initial[question.name] = getattr(assessment, question.name)
    return initial


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
        return _render_form(request, place, form=form, held=True)
    return _render_form(request, place)


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
                data.setlist(key, _as_post_values(stored[key]))
    form = AnswersForm(data, numbers=place.numbers)
    if not form.is_valid():
        messages.error(
            request,
            _(
                "Some answers need your attention; nothing was saved yet. "
                "The rest of what you typed is still in the form."
            ),
        )
        return _render_form(request, place, form=form, status=400)
    try:
        services.assessment_save(
            assessment=assessment,
            user=request.user,
            base_version=form.cleaned_data["version"],
            values=form.answer_values(),
        )
    except services.StaleVersion as stale:
        # Read after the refusal, so the merge starts from what refused it.
        stored = services.assessment_values(selectors.with_answers(assessment))
        merged, conflicts = _merge(form, stale, stored)
        messages.warning(
            request,
            _(
                "Someone else saved this assessment while you were editing. Nothing of yours was "
                "saved yet and nothing of theirs was overwritten: check the answers below, then "
                "save again."
            ),
        )
        return _render_form(
            request,
            place,
            form=merged,
            status=409,
            conflict=conflict_rows(stale, conflicts, form.cleaned_data),
        )
    except services.NotEditable as refused:
        messages.error(request, refused.reason)
        return redirect(_form_url(place.office.code, place.cycle.year))
    now = time_format(timezone.localtime(), "H:i")
    messages.success(request, _("Saved at %(time)s.") % {"time": now})
    anchor = request.POST.get("section", "")
    return redirect(
        _form_url(place.office.code, place.cycle.year)
        + (f"#{anchor}" if anchor.isidentifier() else "")
    )


def _as_post_values(value) -> list[str]:
    if value is None or value is False:
        return []
    if value is True:
        return ["on"]
    return [str(value)]


def _merge(form, stale, stored):
    """My changes on top of the latest answers; returns the bound form and the conflicts."""
    mine = form.answer_values()
    base = {key: change["base"] for key, change in stale.changes.items()}
    merged = {}
    conflicts = []
    for key, value in mine.items():
        original = base.get(key, stored.get(key))
        changed_by_me = _differs(value, original)
        if key in stale.changes and changed_by_me and _differs(value, stored.get(key)):
            conflicts.append(key)
        merged[key] = value if changed_by_me else stored.get(key)
    data = {"version": str(stale.current_version)}
    for key, value in merged.items():
        values = _as_post_values(value)
        if values:
            data[key] = values[0]
    return AnswersForm(data, numbers=form.numbers), conflicts


def _differs(a, b) -> bool:
    empty = (None, "", False)
    if a in empty and b in empty:
        return False
    return a != b


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
        services.assessment_start(
            cycle=place.cycle,
            office=place.office,
            user=request.user,
            from_last_year=request.POST.get("from_last_year") == "1",
        )
    return redirect(_form_url(code, year))


@login_required
@require_POST
def assessment_copy_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = selectors.assessment_place(request.user, code, year)
    if not place.can_edit or place.assessment is None:
        raise PermissionDenied
    try:
        copied = services.assessment_copy_previous(
            assessment=place.assessment,
            user=request.user,
            base_version=int(request.POST.get("version", 0)),
        )
    except services.StaleVersion:
        messages.warning(
            request,
            _(
                "Someone saved meanwhile; the page now shows their answers. "
                "Try again if you still want last year's answers."
            ),
        )
    except services.NotEditable as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(
            request,
            _(
                "%(count)s empty answers were filled from last year's submission. Answers you had "
                "already given were kept."
            )
            % {"count": copied},
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
    form = AnswersForm(request.POST, numbers=place.numbers, partial=True)
    if not form.is_valid():
        return JsonResponse(
            {
                "error": "invalid",
                "errors": form.errors,
                "message": _("Some answers need your attention."),
            },
            status=400,
        )
    try:
        services.assessment_save(
            assessment=place.assessment,
            user=request.user,
            base_version=form.cleaned_data["version"],
            values=form.answer_values(),
        )
    except services.StaleVersion as stale:
        return JsonResponse(
            {
                "error": "conflict",
                "version": stale.current_version,
                "message": _("Someone else saved this assessment meanwhile."),
                "changes": [
                    {
                        "field": key,
                        "label": q.label(key),
                        "by": str(change["user"]) if change["user"] else "",
                        "value": q.display_value(key, change["current"]),
                    }
                    for key, change in stale.changes.items()
                ],
            },
            status=409,
        )
    except services.NotEditable as refused:
        return JsonResponse({"error": "read_only", "message": refused.reason}, status=403)
    assessment = selectors.with_answers(place.assessment)
    now = timezone.localtime()
    return JsonResponse(
        {
            "version": assessment.version,
            "saved_at": now.isoformat(),
            "message": _("Saved at %(time)s") % {"time": time_format(now, "H:i")},
            "complete": len(place.numbers)
            - len(services.assessment_missing(assessment).by_recommendation),
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
    return render(
        request,
        "assessments/review.html",
        {
            "place": place,
            "assessment": assessment,
            "missing": [
                {
                    "recommendation": r,
                    "questions": [
                        q.QUESTIONS[name].label for name in missing.by_recommendation[r.number]
                    ],
                }
                for r in recommendations
                if r.number in missing.by_recommendation
            ],
            "answers": sorted(assessment.answers.all(), key=lambda a: a.recommendation.number),
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
    return render(
        request,
        "assessments/history.html",
        {
            "place": place,
            "assessment": place.assessment,
            "events": history_rows(events),
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
    return redirect(reverse("assessment_history", kwargs={"code": code, "year": year}))
