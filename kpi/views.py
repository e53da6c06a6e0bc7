from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from assessments.submissions import submitted_answers
from kpi import dashboard, engine, selectors
from kpi.privacy import MIN_GROUP
from portal import compression
from portal.offices.models import OfficeType, Region
from portal.permissions import colead_or_secretariat_required


@login_required
def office_benchmark(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The office's answers beside the anonymised answers of all, its region and its type, as
    published for offices (``kpi.privacy``): never the live figures."""
    place = assessment_selectors.assessment_place(request.user, code, year)
    if place.assessment is None:
        raise Http404
    office = place.office
    recommendations = list(assessment_selectors.recommendations_with_levels(place.cycle))
    view, attainment = selectors.benchmark_views(
        place.cycle, office, [recommendation.number for recommendation in recommendations]
    )
    labels = [
        _("All responding offices"),
        Region(office.region).label,
        OfficeType(office.office_type).label,
    ]
    groups = list(zip(labels, view.groups, strict=True))
    answers = assessment_selectors.answers_by_number(place.assessment)
    by_number = [
        {entry["number"]: entry for entry in peer.figures["recommendations"]}
        if peer.figures
        else {}
        for _label, peer in groups
    ]
    rows = [
        {
            "recommendation": recommendation,
            "answer": answers.get(recommendation.number),
            "groups": [entries.get(recommendation.number) for entries in by_number],
        }
        for recommendation in recommendations
    ]
    own = place.role not in ("colead", "secretariat")
    previous, targets = selectors.own_targets(office, place.cycle)
    # Measured as the peers' figure is: against the levels the office submitted, not a
    # reopened assessment's draft.
    submitted = {
        answer.recommendation.number: answer
        for answer in submitted_answers(Assessment.objects.filter(pk=place.assessment.pk))
    }
    reached = _attainment_rows(previous, targets, attainment, submitted, recommendations)
    chart = dashboard.benchmark_chart(
        place=place,
        view=view,
        labels=labels,
        answers=answers,
        recommendations=recommendations,
        own=own,
    )
    return render(
        request,
        "kpi/benchmark.html",
        {
            "place": place,
            "view": view,
            "groups": groups,
            "hidden": [(label, peer.note) for label, peer in groups if not peer.figures],
            "rows": rows,
            "min_group": MIN_GROUP,
            "chart": chart,
            "own": own,
            "previous": previous,
            "attainment_rows": reached,
            "attainment_notes": list(
                dict.fromkeys(row["peers"].note for row in reached if not row["peers"].figures)
            ),
        },
    )


OWN_ATTAINMENT = {
    engine.REACHED: gettext_lazy("Reached"),
    engine.MISSED: gettext_lazy("Not reached"),
    engine.NO_TARGET: gettext_lazy("No target"),
    engine.UNMEASURED: gettext_lazy("No level given yet"),
    # The office did not submit in the cycle the targets are read from.
    "unanswered": gettext_lazy("No answer that year"),
}


def _attainment_rows(previous, targets, attainment, answers, recommendations) -> list[dict]:
    """Per recommendation: the office's own target of the previous cycle and whether its
    level here reached it (its own data), beside the measured offices' share as published
    for it (``kpi.privacy`` rule 5). Empty without a previous cycle to measure against."""
    if previous is None:
        return []
    rows = []
    for recommendation in recommendations:
        level, target = targets.get(recommendation.number, (None, None))
        answer = answers.get(recommendation.number)
        outcome = (
            engine.own_attainment(level, target, answer.maturity_current if answer else None)
            if targets
            else "unanswered"
        )
        rows.append(
            {
                "recommendation": recommendation,
                "level": level,
                "target": target,
                "outcome": outcome,
                "outcome_label": OWN_ATTAINMENT[outcome],
                "peers": attainment[recommendation.number],
            }
        )
    return rows


@colead_or_secretariat_required
def cycle_dashboard(request: HttpRequest, year: int) -> HttpResponse:
    """Every KPI of a cycle for the co-leads, from its snapshot; filters pick a stored group."""
    snapshot = selectors.dashboard_snapshot(year)
    if snapshot is None:
        raise Http404
    region = request.GET.get("region", "")
    office_type = request.GET.get("type", "")
    years_metric = request.GET.get("years", "")
    order = request.GET.get("order", "")
    drawn = dashboard.page(
        snapshot,
        marks=dashboard.snapshot_marks(),
        region=region if region in Region.values else "",
        office_type=office_type if office_type in OfficeType.values else "",
        mode="maturity" if request.GET.get("heatmap") == "maturity" else "status",
        years_metric=years_metric
        if years_metric in dashboard.YEARS_METRICS
        else dashboard.YEARS_METRICS[0],
        search=request.GET.get("office", "").strip()[:100],
        sort=order if order in dashboard.HEATMAP_SORTS else "code",
        page=_page_number(request.GET.get("page")),
    )
    response = render(
        request, "kpi/dashboard.html", {"cycle": snapshot.cycle, "content": drawn["html"]}
    )
    compression.mark(response, *drawn["blocks"])
    return response


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except ValueError:
        return 1
