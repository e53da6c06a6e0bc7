"""The secretariat's cycle pages: open a cycle, follow its offices, invite more of them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.cycle_forms import CycleCreateForm, CycleInviteForm
from assessments.models import Assessment, Cycle, Reminder
from assessments.notifications import cycle_create, cycle_invite, reminder_request
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


@secretariat_required
def cycle_detail(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("framework"), year=year)
    rows = list(_office_rows(cycle))
    return render(
        request,
        "assessments/cycle_detail.html",
        {
            "cycle": cycle,
            "rows": rows,
            "counts": _counts(rows),
            "total": cycle.framework.recommendations.count(),
            "invite_form": CycleInviteForm(cycle=cycle),
        },
    )


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
        if row.status == Assessment.Status.SUBMITTED:
            counts["submitted"] += 1
        elif row.status == Assessment.Status.DRAFT:
            counts["draft"] += 1
        else:
            counts["not_started"] += 1
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
    return redirect("cycle_detail", year=cycle.year)
