"""Pages of peer learning. Each fetches what it shows *for this person* or answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outbox.notices import tell_if_held
from portal.offices.models import MemberRole, Office, OfficeType, Region
from portal.permissions import colead_or_secretariat_required, office_role
from practices import matching, selectors, services
from practices.forms import HideForm, PracticeForm, RequestForm, SearchForm
from practices.models import ContactRequest, Openness, PeerProfile, Practice
from recommendations.models import Framework

PAGE_SIZE = 20


def _recommendation_titles() -> dict[int, str]:
    framework = Framework.objects.current()
    if framework is None:
        return {}
    return {r.number: r.short_title for r in framework.recommendations.all()}


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.Filters(
        q=data.get("q") or "",
        number=data.get("recommendation"),
        region=data.get("region") or "",
        office_type=data.get("office_type") or "",
        status=data.get("status") or "",
        kind=data.get("kind") or "",
        tag=data.get("tag") or "",
        sort=data.get("sort") or "relevance",
    )
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    result = selectors.catalogue(
        request.user, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    titles = _recommendation_titles()
    facets = result.facets
    return render(
        request,
        "practices/catalogue.html",
        {
            "form": form,
            "filters": filters,
            "result": result,
            "page": page,
            "has_next": page * PAGE_SIZE < result.total,
            "titles": titles,
            "facet_regions": [(v, Region(v).label, n) for v, n in facets["region"].items() if v],
            "facet_types": [
                (v, OfficeType(v).label, n) for v, n in facets["office_type"].items() if v
            ],
            "facet_numbers": list(facets["number"].items()),
            "facet_kinds": [(v, Practice.Kind(v).label, n) for v, n in facets["kind"].items()],
            "facet_statuses": [
                (v, Practice.Status(v).label, n) for v, n in facets["status"].items()
            ],
            "facet_tags": list(facets["tag"].items()),
            "my_offices": [m.office for m in request.user.memberships.select_related("office")],
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = selectors.practice_for(request.user, pk)
    if practice is None:
        raise Http404
    own = practice.office.memberships.filter(user=request.user).exists()
    return render(
        request,
        "practices/detail.html",
        {
            "practice": practice,
            "own": own,
            "may_edit": selectors.may_edit(request.user, practice),
            "titles": _recommendation_titles(),
            # Only the reader's own offices' roadmaps: another office's plans are not theirs.
            "roadmap_uses": selectors.roadmap_uses(request.user, practice),
            "events": practice.events.select_related("user")[:50]
            if own or request.user.is_secretariat
            else [],
            "hide_form": HideForm() if request.user.is_secretariat else None,
            # The contact person is shown to the task force and to the office's own people;
            # other offices reach them through a contact request.
            "show_contact": own or request.user.is_secretariat or request.user.is_colead,
        },
    )


def _save_practice(request, form, *, office, practice=None):
    values = form.service_values()
    version = form.cleaned_data.get("version")
    try:
        if practice is None:
            contact_id = values.pop("contact_id")
            return services.practice_create(
                office=office, user=request.user, contact_id=contact_id, **values
            )
        return services.practice_update(
            practice=practice, user=request.user, version=version or 0, **values
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    except services.StalePractice:
        form.add_error(
            None,
            _(
                "A colleague changed this entry while you were editing it. Your changes are "
                "below, not saved: open the entry again in a new tab to see theirs, then save."
            ),
        )
    return None


@login_required
def create(request: HttpRequest, code: str) -> HttpResponse:
    office, _role = office_role(request.user, code, allowed=("respondent",))
    form = PracticeForm(
        request.POST or None,
        office=office,
        initial={"language": get_language(), "contact": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        practice = _save_practice(request, form, office=office)
        if practice is not None:
            messages.success(request, _("Saved as a draft. Publish it when it is ready."))
            return redirect("practice_detail", pk=practice.pk)
    return render(request, "practices/form.html", {"form": form, "office": office})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    practice = selectors.practice_for(request.user, pk)
    if practice is None or not selectors.may_edit(request.user, practice):
        raise Http404
    form = PracticeForm(request.POST or None, instance=practice, office=practice.office)
    if request.method == "POST" and form.is_valid():
        saved = _save_practice(request, form, office=practice.office, practice=practice)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("practice_detail", pk=saved.pk)
    return render(
        request,
        "practices/form.html",
        {"form": form, "office": practice.office, "practice": practice},
    )


@require_POST
@login_required
def change_state(request: HttpRequest, pk: int) -> HttpResponse:
    practice = selectors.practice_for(request.user, pk)
    if practice is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.practice_publish(practice=practice, user=request.user)
            messages.success(request, _("Published: other offices can find it now."))
        elif action == "unpublish":
            services.practice_unpublish(practice=practice, user=request.user)
            messages.success(request, _("Back to draft: other offices no longer see it."))
        elif action == "confirm":
            services.practice_confirm(practice=practice, user=request.user)
            messages.success(request, _("Thank you: it is marked as still current."))
        elif action == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why, for the office."))
                return redirect("practice_detail", pk=pk)
            with tell_if_held(request):
                services.practice_hide(
                    practice=practice, user=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Hidden; the office is told why."))
        elif action == "show":
            services.practice_show(practice=practice, user=request.user)
            messages.success(request, _("Shown in the catalogue again."))
        else:
            raise Http404
    except PermissionDenied:
        raise Http404 from None
    return redirect("practice_detail", pk=pk)


@login_required
def office_practices(request: HttpRequest, code: str) -> HttpResponse:
    office, role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    respondent = role == MemberRole.RESPONDENT
    latest = office.assessments.filter(submitted_at__isnull=False).order_by("-cycle__year").first()
    return render(
        request,
        "practices/office.html",
        {
            "office": office,
            "respondent": respondent,
            "practices": selectors.own_practices(office),
            "latest_submitted": latest,
            "due": selectors.practices_due_for_confirmation(office),
            "titles": _recommendation_titles(),
        },
    )


@require_POST
@login_required
def from_survey(request: HttpRequest, code: str) -> HttpResponse:
    office, _role = office_role(request.user, code, allowed=("respondent",))
    assessment = get_object_or_404(
        office.assessments.filter(submitted_at__isnull=False).order_by("-cycle__year")[:1]
    )
    created = services.practices_from_assessment(assessment=assessment, user=request.user)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)s draft entry made from your survey's current-focus projects. Check it "
                "and publish it.",
                "%(count)s draft entries made from your survey's current-focus projects. Check "
                "and publish each.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(
            request, _("Nothing new to copy: every described project already has an entry.")
        )
    return redirect("office_practices", code=office.code)


@login_required
def openness(request: HttpRequest, code: str) -> HttpResponse:
    office, role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    respondent = role == MemberRole.RESPONDENT
    rows = {
        row.number: row
        for row in Openness.objects.filter(office=office).select_related("changed_by")
    }
    profile = PeerProfile.objects.filter(office=office).first()
    if request.method == "POST":
        if not respondent:
            raise PermissionDenied
        titles = _recommendation_titles()
        choices = {
            n: {"share": f"share-{n}" in request.POST, "joint": f"joint-{n}" in request.POST}
            for n in titles
        }
        from practices.forms import language_choices

        allowed = {code for code, _name in language_choices()}
        languages = [code for code in request.POST.getlist("languages") if code in allowed]
        try:
            services.openness_set(
                office=office,
                user=request.user,
                choices=choices,
                languages=languages,
                seen=request.POST.get("seen", ""),
            )
        except services.StaleOpenness:
            messages.error(
                request,
                _(
                    "A colleague changed your office’s openness since this page was opened: "
                    "nothing was saved. Here is what is stored now; make your change again."
                ),
            )
        else:
            messages.success(request, _("Saved. It takes effect at once."))
        return redirect("office_openness", code=office.code)
    from practices.forms import language_choices

    return render(
        request,
        "practices/openness.html",
        {
            "office": office,
            "respondent": respondent,
            "rows": [
                {"number": n, "title": t, "row": rows.get(n)}
                for n, t in _recommendation_titles().items()
            ],
            "languages": language_choices(),
            "chosen_languages": set(profile.languages if profile else []),
            "seen": services.openness_stamp(rows.values(), profile.languages if profile else None),
        },
    )


@login_required
def partners(request: HttpRequest, code: str) -> HttpResponse:
    office, role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    respondent = role == MemberRole.RESPONDENT
    titles = _recommendation_titles()
    levels = matching.own_levels(office)
    proposed = [n for n in matching.proposed_numbers(levels) if n in titles]
    try:
        number = int(request.GET.get("recommendation") or (proposed[0] if proposed else 0))
    except ValueError:
        number = 0
    purpose = request.GET.get("purpose") or ContactRequest.Purpose.SHARE
    if purpose not in ContactRequest.Purpose.values:
        purpose = ContactRequest.Purpose.SHARE
    form = None
    if request.method == "POST":
        if not respondent:
            raise PermissionDenied
        form = RequestForm(request.POST)
        if form.is_valid():
            target = Office.objects.filter(code=form.cleaned_data["target"].upper()).first()
            try:
                if target is None:
                    raise services.RequestRefused(
                        _("This office is not open to such a request at the moment.")
                    )
                with tell_if_held(request):
                    services.contact_request_send(
                        seeker=office,
                        target=target,
                        number=form.cleaned_data["recommendation"],
                        purpose=form.cleaned_data["purpose"],
                        message=form.cleaned_data["message"],
                        user=request.user,
                    )
            except services.RequestRefused as refused:
                messages.error(request, " ".join(refused.messages))
            else:
                messages.success(
                    request,
                    _("Sent to %(code)s. You will read their answer here and by e-mail.")
                    % {"code": target.code},
                )
                return redirect("office_requests", code=office.code)
        number = form.cleaned_data.get("recommendation") or number
    matches = (
        matching.partners(seeker=office, number=number, purpose=purpose, user=request.user)
        if number in titles
        else []
    )
    return render(
        request,
        "practices/partners.html",
        {
            "office": office,
            "respondent": respondent,
            "titles": titles,
            "number": number,
            "purpose": purpose,
            "purposes": ContactRequest.Purpose.choices,
            "proposed": proposed[:3],
            "mine": levels.get(number),
            "matches": matches,
            "form": form,
        },
    )


@login_required
def requests(request: HttpRequest, code: str) -> HttpResponse:
    office, role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    respondent = role == MemberRole.RESPONDENT
    if request.method == "POST":
        if not respondent:
            raise PermissionDenied
        contact = get_object_or_404(
            ContactRequest.objects.filter(Q(seeker=office) | Q(target=office)),
            pk=request.POST.get("request"),
        )
        action = request.POST.get("action")
        try:
            if action in ("accept", "decline") and contact.target_id == office.pk:
                with tell_if_held(request):
                    services.contact_request_answer(
                        request=contact, user=request.user, accept=action == "accept"
                    )
                messages.success(
                    request,
                    _("Accepted: you can now see each other's contact person.")
                    if action == "accept"
                    else _("Declined. Nothing more about your office is shown to them."),
                )
            elif action == "withdraw" and contact.seeker_id == office.pk:
                services.contact_request_withdraw(request=contact, user=request.user)
                messages.success(request, _("Withdrawn."))
            else:
                raise Http404
        except services.RequestRefused as refused:
            messages.error(request, " ".join(refused.messages))
        return redirect("office_requests", code=office.code)
    services.expire_requests(office=office)
    base = ContactRequest.objects.select_related(
        "seeker", "target", "sent_by", "seeker_contact", "target_contact"
    )
    return render(
        request,
        "practices/requests.html",
        {
            "office": office,
            "respondent": respondent,
            "received": base.filter(target=office),
            "sent": base.filter(seeker=office),
            "titles": _recommendation_titles(),
        },
    )


@colead_or_secretariat_required
def task_force(request: HttpRequest) -> HttpResponse:
    from practices.selectors import task_force_rows

    rows = task_force_rows()
    if request.GET.get("format") == "xlsx":
        from practices.exports import task_force_xlsx

        response = HttpResponse(
            task_force_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="peer-learning.xlsx"'
        return response
    return render(
        request,
        "practices/task_force.html",
        {"rows": rows, "xlsx": reverse("practices_task_force") + "?format=xlsx"},
    )
