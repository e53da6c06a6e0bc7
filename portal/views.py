from django.contrib.auth.decorators import login_not_required, login_required
from django.db import connection
from django.db.models import OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from portal import selectors
from portal.offices.models import Office
from portal.permissions import colead_or_secretariat_required, secretariat_required
from practices.models import ContactRequest


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sends each person to the page of their role."""
    user = request.user
    if user.is_secretariat:
        return redirect("secretariat_home")
    if user.is_colead:
        return redirect("colead_home")
    membership = user.memberships.select_related("office").order_by("office__code").first()
    if membership:
        return redirect("office_home", code=membership.office.code)
    return render(request, "portal/no_role.html")


def get_office_for_user(user, code: str) -> Office:
    return get_object_or_404(Office.objects.for_user(user), code=code.upper())


@login_required
def office_home(request: HttpRequest, code: str) -> HttpResponse:
    office = get_office_for_user(request.user, code)
    membership = office.memberships.filter(user=request.user).first()
    assessments = (
        Assessment.objects.for_user(request.user)
        .filter(office=office)
        .select_related("cycle")
        .annotate(complete=assessment_selectors.complete_sections(assessment=OuterRef("pk")))
        .order_by("-cycle__year")
    )
    invited_cycles = list(office.cycles.select_related("framework").order_by("-year"))
    by_year = {assessment.cycle.year: assessment for assessment in assessments}
    rows = [
        {
            "cycle": cycle,
            "assessment": by_year.get(cycle.year),
            # The first cycle on a new framework version: its answers and the roadmap are
            # carried from the years before by the crosswalk (docs/roadmap.md).
            "new_framework": index + 1 < len(invited_cycles)
            and cycle.framework_id != invited_cycles[index + 1].framework_id,
        }
        for index, cycle in enumerate(invited_cycles)
    ]
    colleagues = office.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "portal/office_home.html",
        {
            "office": office,
            "membership": membership,
            "rows": rows,
            "colleagues": colleagues,
            "waiting_requests": ContactRequest.objects.filter(
                target=office, state=ContactRequest.State.PENDING
            ).count()
            if membership
            else 0,
        },
    )


@colead_or_secretariat_required
def colead_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/colead_home.html",
        {
            "cycles": selectors.cycles_with_counts(),
        },
    )


@secretariat_required
def secretariat_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/secretariat_home.html",
        {
            "cycles": selectors.cycles_with_counts(),
            "status": selectors.system_status(),
            "office_count": Office.objects.count(),
        },
    )


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and container health checks.

    503 only when the database does not answer: nothing works then. A broker or worker that
    is down is "degraded" with 200, because the web process itself is fine (changes are
    stored, and their e-mails and jobs wait in the outbox): a load balancer that took web out
    of service for it would turn a late e-mail into an outage. Monitoring reads the body.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    queues = selectors.queues_status()
    if queues.eager:
        broker = worker = "in-process"
    else:
        broker = "ok" if queues.broker_ok else "unreachable"
        worker = "ok" if queues.worker_ok else "silent"
    oldest = queues.oldest_pending
    return JsonResponse(
        {
            "status": "ok" if queues.ok else "degraded",
            "database": "ok",
            "broker": broker,
            "worker": worker,
            "outbox": {
                "pending": queues.pending,
                "oldest_seconds": int((timezone.now() - oldest).total_seconds())
                if oldest
                else None,
                "status": "ok"
                if queues.outbox_ok
                else ("unknown" if queues.pending is None else "late"),
            },
        }
    )
