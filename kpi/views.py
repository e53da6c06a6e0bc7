from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from assessments import selectors as assessment_selectors
from kpi.models import KpiSnapshot
from kpi.privacy import MIN_GROUP, shown_to_offices
from portal.offices.models import OfficeType, Region


@login_required
def office_benchmark(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The office's answers beside the anonymised answers of all, its region and its type."""
    place = assessment_selectors.assessment_place(request.user, code, year)
    snapshot = KpiSnapshot.objects.filter(cycle=place.cycle).first()
    if place.assessment is None:
        raise Http404
    document = snapshot.document if snapshot else {}
    office = place.office
    groups = [
        (_("All responding offices"), shown_to_offices(document or None)),
        (
            Region(office.region).label,
            shown_to_offices(document.get("by_region", {}).get(office.region)),
        ),
        (
            OfficeType(office.office_type).label,
            shown_to_offices(document.get("by_office_type", {}).get(office.office_type)),
        ),
    ]
    answers = assessment_selectors.answers_by_number(place.assessment)
    recommendations = list(assessment_selectors.recommendations_with_levels(place.cycle))
    rows = []
    for recommendation in recommendations:
        answer = answers.get(recommendation.number)
        cells = []
        for _label, group in groups:
            entry = group["recommendations"][recommendation.number - 1] if group else None
            cells.append(entry)
        rows.append({"recommendation": recommendation, "answer": answer, "groups": cells})
    return render(
        request,
        "kpi/benchmark.html",
        {
            "place": place,
            "snapshot": snapshot,
            "groups": groups,
            "rows": rows,
            "min_group": MIN_GROUP,
        },
    )
