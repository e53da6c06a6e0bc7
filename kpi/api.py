from django.contrib.auth.decorators import login_not_required
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from assessments.models import Cycle
from kpi.models import KpiSnapshot
from portal.api.docs import errors
from portal.permissions import ReadsAllSubmissionsPermission


# The API answers for itself (401/403 as JSON) instead of redirecting to the login page.
@extend_schema(
    operation_id="cycles_kpis",
    tags=["kpis"],
    summary="Every KPI of a cycle (co-leads and secretariat)",
    description="The document of `manage.py compute_kpis --json`: figures overall, by region, "
    "by office type and both, with the trend against the previous cycle. See "
    "docs/kpis in the README for the shape. `target_attainment` (`{count, of, percent}`, "
    "overall and in each recommendation, percent null when nothing was measured) measures "
    "the targets set above their level in the previous cycle against this cycle's levels; "
    "`target_attainment_basis` names that cycle and says whether its targets were "
    "measured (`comparable`) and carried through the crosswalk between the two framework "
    "versions (`through_crosswalk`, `crosswalk`: the two versions). When the previous cycle "
    "used an earlier framework version, `trend` compares through the crosswalk: its "
    "`crosswalk` describes it (null between cycles of one version), each change has a "
    "`relation` (same, merged, split) and `new` lists the recommendations with nothing to "
    "compare with. Between versions not in one line of descent `trend` is null and "
    "`trend_unavailable` says why (`reason`: no_previous_cycle or unrelated_frameworks). "
    "`actions_done_by_due_date` (same shape) is the share of the roadmaps' actions due within "
    "the cycle's year that were done by their due date, of those done or past their due date "
    "on `actions_done_by_due_date_basis.as_of` (docs/roadmap.md).",
    responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="The KPI document."),
        **errors(401, 403, 404),
    },
)
@login_not_required
@api_view(["GET"])
@permission_classes([ReadsAllSubmissionsPermission])
def cycle_kpis(request: Request, year: int) -> Response:
    """Every KPI of a cycle, as stored in its latest snapshot."""
    cycle = get_object_or_404(Cycle, year=year)
    # The stored document as the database writes it out: parsing it to serialise it again
    # costs time that grows with the number of offices, for the same JSON.
    document = (
        KpiSnapshot.objects.filter(cycle=cycle)
        .values_list(Cast("document", output_field=TextField()), flat=True)
        .first()
    )
    if document is None:
        raise NotFound(
            _(
                "The %(year)s indicators have not been computed yet: they are when "
                "a submission lands, or with manage.py compute_kpis."
            )
            % {"year": year}
        )
    return HttpResponse(document, content_type="application/json")
