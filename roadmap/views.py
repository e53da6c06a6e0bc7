"""The office's roadmap pages, and the co-leads' table of actions done by their due date."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.permissions import colead_or_secretariat_required
from roadmap import selectors, services
from roadmap.forms import ActionForm
from roadmap.models import RoadmapAction

HISTORY_LIMIT = 300


def _page_url(code: str, anchor: str = "") -> str:
    url = reverse("roadmap", kwargs={"code": code.upper()})
    return f"{url}#{anchor}" if anchor else url


def roadmap_page(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.roadmap_place(request.user, code)
    basis = selectors.roadmap_basis(place.office)
    actions = selectors.actions_of(place.roadmap, request.user)
    layout = selectors.roadmap_layout(basis, actions)
    return render(
        request,
        "roadmap/roadmap.html",
        {
            "place": place,
            "basis": basis,
            "rows": layout.rows,
            "retired": layout.retired,
            "share": selectors.done_by_due_date(place.roadmap),
            "action_count": len(actions),
        },
    )


def _editable(request, code: str):
    place = selectors.roadmap_place(request.user, code)
    if not place.can_edit:
        raise PermissionDenied
    return place


def action_new(request: HttpRequest, code: str) -> HttpResponse:
    place = _editable(request, code)
    basis = selectors.roadmap_basis(place.office)
    number = request.POST.get("recommendation") or request.GET.get("recommendation") or ""
    if basis.framework is None or not number.isdigit():
        raise Http404
    recommendation = get_object_or_404(basis.framework.recommendations, number=int(number))
    form = ActionForm(request.POST or None, recommendation=recommendation, office=place.office)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(
                office=place.office,
                user=request.user,
                recommendation=recommendation,
                **form.values(),
            )
        except ValidationError as invalid:
            for name, errors in invalid.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The action is added to the roadmap."))
            return redirect(_page_url(place.office.code, f"r{recommendation.number}"))
    current, target = basis.levels.get(recommendation.number, (None, None))
    return render(
        request,
        "roadmap/action_form.html",
        {
            "place": place,
            "recommendation": recommendation,
            "current": current,
            "target": target,
            "form": form,
            "action": None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _action(place, pk: int) -> RoadmapAction:
    if place.roadmap is None:
        raise Http404
    action = get_object_or_404(
        RoadmapAction.objects.select_related(
            "recommendation", "recommended_action", "carried_from__framework"
        ),
        pk=pk,
        roadmap=place.roadmap,
    )
    action.roadmap = place.roadmap  # with its office, read with the person's role
    return action


def _initial(action: RoadmapAction, linked: list[int]) -> dict:
    return {
        "recommended_action": action.recommended_action_id,
        "text": action.text,
        "responsible_unit": action.responsible_unit,
        "due_on": action.due_on,
        "status": action.status,
        "drop_reason": action.drop_reason,
        "practices": linked,
        "version": action.version,
    }


def action_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    place = _editable(request, code)
    action = _action(place, pk)
    stale = None
    # Set apart so that a practice withdrawn since it was linked can stay linked on saving.
    context = {
        "recommendation": action.recommendation,
        "office": place.office,
        "linked": services.linked_practices(action),
    }
    if request.method == "POST":
        form = ActionForm(request.POST, **context)
        if form.is_valid():
            try:
                services.action_update(
                    action=action,
                    user=request.user,
                    base_version=form.cleaned_data["version"] or 0,
                    **form.values(),
                )
            except services.StaleVersion as refused:
                stale = refused.current
                # What they typed stays in the form; saving again, now knowingly, replaces
                # the colleague's version shown beside it.
                data = request.POST.copy()
                data["version"] = str(stale.version)
                form = ActionForm(data, **context)
                form.is_valid()
                messages.warning(
                    request,
                    _(
                        "Someone changed this action while you were editing it. Nothing of "
                        "yours was saved yet and nothing of theirs was overwritten: compare, "
                        "then save again."
                    ),
                )
            except ValidationError as invalid:
                for name, errors in invalid.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The action is saved."))
                return redirect(_page_url(place.office.code, f"action-{action.pk}"))
    else:
        form = ActionForm(initial=_initial(action, context["linked"]), **context)
    return render(
        request,
        "roadmap/action_form.html",
        {
            "place": place,
            "recommendation": action.recommendation,
            "form": form,
            "action": action,
            "stale": stale,
        },
        status=409 if stale else (400 if form.is_bound and form.errors else 200),
    )


@require_POST
def action_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    place = _editable(request, code)
    action = _action(place, pk)
    version = request.POST.get("version", "")
    try:
        services.action_remove(
            action=action, user=request.user, base_version=int(version) if version.isdigit() else 0
        )
    except services.StaleVersion:
        messages.warning(
            request,
            _("Someone changed this action meanwhile: read it again before removing it."),
        )
        return redirect(reverse("roadmap_action", kwargs={"code": place.office.code, "pk": pk}))
    messages.success(request, _("The action is removed; the history keeps what it was."))
    return redirect(_page_url(place.office.code))


def _shown(name: str, value, practices: dict[int, str]) -> str:
    """A recorded value as people read it: statuses by their label, the recommended action
    by its position (the history records positions, which the wording may change around),
    practices by their office and title where the reader may open them."""
    if value in (None, "", []):
        return ""
    if name == "status":
        return str(RoadmapAction.Status(value).label) if value in RoadmapAction.Status else value
    if name == "recommended_action":
        return _("Recommended action %(position)s") % {"position": value}
    if name == "practices":
        return "; ".join(practices.get(pk) or _("A practice no longer available") for pk in value)
    return str(value)


def _readable(event, practices: dict[int, str]) -> list[dict]:
    return [
        {
            "label": RoadmapAction._meta.get_field(change["field"]).verbose_name,
            "old": _shown(change["field"], change["old"], practices),
            "new": _shown(change["field"], change["new"], practices),
        }
        for change in event.changes
    ]


def roadmap_history(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.roadmap_place(request.user, code)
    events = list(selectors.history(place.roadmap)[:HISTORY_LIMIT])
    practices = selectors.practice_names(request.user, events)
    for event in events:
        event.rows = _readable(event, practices)
    return render(
        request,
        "roadmap/history.html",
        {"place": place, "events": events, "limit": HISTORY_LIMIT},
    )


@colead_or_secretariat_required
def roadmap_figures(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "roadmap/figures.html",
        {"rows": selectors.done_by_due_date_by_recommendation()},
    )
