from django.contrib.auth.decorators import login_not_required, login_required
from django.db import connection
from django.db.models import OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from portal import selectors
from portal.offices.models import Office
from portal.permissions import colead_or_secretariat_required, secretariat_required


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
    invited_cycles = office.cycles.order_by("-year")
    by_year = {assessment.cycle.year: assessment for assessment in assessments}
    rows = [{"cycle": cycle, "assessment": by_year.get(cycle.year)} for cycle in invited_cycles]
    colleagues = office.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "portal/office_home.html",
        {
            "office": office,
            "membership": membership,
            "rows": rows,
            "colleagues": colleagues,
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
    """For load balancers and container health checks: answers 503 if the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
