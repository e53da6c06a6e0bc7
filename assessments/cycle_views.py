"""The secretariat's cycle pages: open a cycle, follow its offices, invite more of them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.cycle_forms import CycleCreateForm, CycleInviteForm
from assessments.forms import ReopenForm
from assessments.models import Assessment, Cycle, Reminder
from assessments.notifications import (
    REMIND_TASK,
    cycle_create,
    cycle_invite,
    reminder_request,
    reminders_request,
)
from outbox.models import OutboxMessage
from outbox.notices import tell_if_held
from portal.offices.models import MemberRole, Membership
from portal.permissions import secretariat_required


@secretariat_required
def cycle_create_view(request: HttpRequest) -> HttpResponse:
    form = CycleCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with tell_if_held(request):
                cycle = cycle_create(
                    year=data["year"],
                    framework=data["framework"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    offices=data["selected_offices"],
                    user=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:  # the same year, created by someone else a moment ago
            form.add_error("year", _("There is a %(year)s cycle already.") % {"year": data["year"]})
        else:
            invited = len(data["selected_offices"])
            messages.success(
                request,
                ngettext(
                    "Cycle %(year)s is created: %(count)d office invited. Its "
                    "respondents are being e-mailed.",
                    "Cycle %(year)s is created: %(count)d offices invited. Their "
                    "respondents are being e-mailed.",
                    invited,
                )
                % {"year": cycle.year, "count": invited},
            )
            return redirect("cycle_detail", year=cycle.year)
    return render(request, "assessments/cycle_create.html", {"form": form})


# What the tracker can be sorted by: the key of each row, and whether it reads best reversed
# (the most recent activity, the most advanced assessment first).
SORTS = {
    "code": (lambda row: row.office.code, False),
    "name": (lambda row: row.office.name.casefold(), False),
    "region": (lambda row: (row.office.get_region_display(), row.office.code), False),
    "progress": (lambda row: (_progress(row), row.office.code), True),
    "activity": (lambda row: (row.last_activity is not None, row.last_activity or 0), True),
}
STATES = ("submitted", "draft", "not_started", "unreachable")


@secretariat_required
def cycle_detail(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("framework"), year=year)
    rows = list(_office_rows(cycle))
    today = timezone.localdate()
    asked = _reminders_asked_today(cycle)
    for row in rows:
        row.state = _state(row)
        row.remindable = (
            cycle.state == Cycle.State.OPEN
            and row.status != Assessment.Status.SUBMITTED
            and bool(row.respondents)
        )
        row.reminded_today = row.office.pk in asked or any(
            timezone.localdate(reminder.sent_at) == today for reminder in row.office.cycle_reminders
        )
    counts = _counts(rows)
    query = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else "code"
    shown = [row for row in rows if _matches(row, query) and _in_state(row, state)]
    key, reverse_order = SORTS[sort]
    shown.sort(key=key, reverse=reverse_order)
    to_remind = [row for row in rows if row.remindable and not row.reminded_today]
    return render(
        request,
        "assessments/cycle_detail.html",
        {
            "cycle": cycle,
            "rows": shown,
            "invited_any": bool(rows),
            "counts": counts,
            "query": query,
            "state": state,
            "sort": sort,
            "sorts": _sort_labels(),
            "states": _state_labels(),
            "filtered": bool(query or state),
            "to_remind": len(to_remind),
            "total": cycle.framework.recommendations.count(),
            "invite_form": CycleInviteForm(cycle=cycle),
            "reopen_form": ReopenForm(),
        },
    )


def _state(row) -> str:
    if row.status == Assessment.Status.SUBMITTED:
        return "submitted"
    if row.status == Assessment.Status.DRAFT:
        return "draft"
    return "not_started"


def _in_state(row, state: str) -> bool:
    if state == "unreachable":
        return not row.respondents
    return not state or row.state == state


def _progress(row) -> int:
    # Submitted above any draft, a draft by its complete sections, not started last.
    if row.status == Assessment.Status.SUBMITTED:
        return 1000
    if row.status == Assessment.Status.DRAFT:
        return 1 + (row.complete or 0)
    return 0


def _matches(row, query: str) -> bool:
    if not query:
        return True
    needle = query.casefold()
    return needle in row.office.code.casefold() or needle in row.office.name.casefold()


def _sort_labels() -> list[tuple[str, str]]:
    return [
        ("code", _("Office code")),
        ("name", _("Office name")),
        ("region", _("Region")),
        ("progress", _("Progress")),
        ("activity", _("Last activity")),
    ]


def _state_labels() -> list[tuple[str, str]]:
    return [
        ("", _("Every state")),
        ("submitted", pgettext("assessment state", "Submitted")),
        ("draft", pgettext("assessment state", "Draft")),
        ("not_started", pgettext("assessment state", "Not started")),
        ("unreachable", _("Without a respondent")),
    ]


def _reminders_asked_today(cycle: Cycle) -> set[int]:
    """The offices whose "remind now" was asked today, sent or still on its way: the button
    says so rather than offering to send the same reminder again."""
    since = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    asked = OutboxMessage.objects.filter(
        task=REMIND_TASK, created_at__gte=since, args__0=cycle.pk
    ).values_list("args", flat=True)
    return {args[1] for args in asked if len(args) > 1}


@secretariat_required
@require_POST
def cycle_invite_view(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    form = CycleInviteForm(request.POST, cycle=cycle)
    if form.is_valid():
        with tell_if_held(request):
            invited = cycle_invite(
                cycle=cycle, offices=form.cleaned_data["selected_offices"], user=request.user
            )
            messages.success(
                request,
                ngettext(
                    "%(count)d more office invited. Its respondents are being e-mailed.",
                    "%(count)d more offices invited. Their respondents are being e-mailed.",
                    len(invited),
                )
                % {"count": len(invited)},
            )
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("cycle_detail", year=cycle.year)


def _office_rows(cycle: Cycle):
    """The invited offices with what the page shows of each, in a fixed number of queries."""
    assessment = Assessment.objects.filter(cycle=cycle, office=OuterRef("office")).order_by()
    respondents = (
        Membership.objects.filter(
            office=OuterRef("office"), role=MemberRole.RESPONDENT, user__is_active=True
        )
        .order_by()
        .values("office")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reminders = Reminder.objects.filter(cycle=cycle).order_by("-days_before")
    return (
        cycle.invitations.select_related("office")
        .prefetch_related(
            Prefetch("office__reminders", queryset=reminders, to_attr="cycle_reminders")
        )
        .annotate(
            status=Subquery(assessment.values("status")[:1]),
            submitted_at=Subquery(assessment.values("submitted_at")[:1]),
            reopened_at=Subquery(assessment.values("reopened_at")[:1]),
            last_activity=Subquery(assessment.values("updated_at")[:1]),
            complete=selectors.complete_sections(
                assessment__cycle=cycle, assessment__office=OuterRef("office")
            ),
            respondents=Coalesce(Subquery(respondents, output_field=IntegerField()), 0),
        )
        .order_by("office__code")
    )


def _counts(rows) -> dict:
    counts = {"invited": 0, "submitted": 0, "draft": 0, "not_started": 0, "unreachable": 0}
    for row in rows:
        counts["invited"] += 1
        counts[row.state] += 1
        if not row.respondents:
            counts["unreachable"] += 1
    return counts


@secretariat_required
@require_POST
def cycle_remind_view(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Reminds one office's respondents now, whatever the reminder calendar says."""
    cycle = get_object_or_404(Cycle, year=year)
    invitation = get_object_or_404(
        cycle.invitations.select_related("office"), office__code=code.upper()
    )
    office = invitation.office
    if cycle.state != Cycle.State.OPEN:
        messages.error(request, _("Reminders go out only while the cycle is open."))
    elif cycle.assessments.filter(office=office, status=Assessment.Status.SUBMITTED).exists():
        messages.info(request, _("%(code)s has submitted already.") % {"code": office.code})
    else:
        with tell_if_held(request) as held:
            reminder_request(cycle=cycle, office=office)
            if not held.messages:
                messages.success(
                    request,
                    _("A reminder is on its way to the respondents of %(code)s.")
                    % {"code": office.code},
                )
    return redirect(_back_to_tracker(request, cycle))


@secretariat_required
@require_POST
def cycle_remind_all_view(request: HttpRequest, year: int) -> HttpResponse:
    """Reminds, now, every office that has not submitted and has a respondent to remind."""
    cycle = get_object_or_404(Cycle, year=year)
    if cycle.state != Cycle.State.OPEN:
        messages.error(request, _("Reminders go out only while the cycle is open."))
        return redirect("cycle_detail", year=cycle.year)
    asked = _reminders_asked_today(cycle)
    offices = [
        row.office
        for row in _office_rows(cycle)
        if row.status != Assessment.Status.SUBMITTED
        and row.respondents
        and row.office.pk not in asked
    ]
    # What the confirmation named: reminding more (or other) offices than the secretariat
    # agreed to would surprise; the page is shown again with today's figure instead.
    if str(len(offices)) != request.POST.get("count"):
        messages.warning(
            request,
            _(
                "The number of offices to remind has changed since the page was shown: check it "
                "and confirm again."
            ),
        )
        return redirect("cycle_detail", year=cycle.year)
    if not offices:
        messages.info(request, _("Every office that has not submitted was reminded today."))
        return redirect("cycle_detail", year=cycle.year)
    with tell_if_held(request) as held:
        reminders_request(cycle=cycle, offices=offices)
        if not held.messages:
            messages.success(
                request,
                ngettext(
                    "A reminder is on its way to the respondents of %(count)d office.",
                    "Reminders are on their way to the respondents of %(count)d offices.",
                    len(offices),
                )
                % {"count": len(offices)},
            )
    return redirect("cycle_detail", year=cycle.year)


def _back_to_tracker(request: HttpRequest, cycle: Cycle) -> str:
    """The tracker as it was (searched, filtered, sorted) when a button in it was pressed."""
    url = reverse("cycle_detail", kwargs={"year": cycle.year})
    back = request.POST.get("back", "")
    params = QueryDict(back).dict() if back else {}
    kept = {key: value for key, value in params.items() if key in ("q", "state", "sort")}
    return f"{url}?{urlencode(kept)}" if kept else url
