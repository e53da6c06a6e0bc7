"""The REST API, version 1, and its schema and documentation."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from assessments import api as assessments
from exports import api as exports
from kpi import api as kpi
from portal.offices import api as offices
from practices import api as practices
from recommendations import api as recommendations
from roadmap import api as roadmap

v1 = [
    path("frameworks/", recommendations.framework_list, name="api_frameworks"),
    path("frameworks/<str:version>/", recommendations.framework_detail, name="api_framework"),
    path("offices/", offices.office_list, name="api_offices"),
    path("offices/<str:code>/", offices.office_detail, name="api_office"),
    path(
        "offices/<str:code>/assessments/<int:year>/",
        assessments.assessment_detail,
        name="api_assessment",
    ),
    path(
        "offices/<str:code>/assessments/<int:year>/start/",
        assessments.assessment_start,
        name="api_assessment_start",
    ),
    path(
        "offices/<str:code>/assessments/<int:year>/submit/",
        assessments.assessment_submit,
        name="api_assessment_submit",
    ),
    path("offices/<str:code>/roadmap/", roadmap.roadmap_detail, name="api_roadmap"),
    path("offices/<str:code>/openness/", practices.openness, name="api_office_openness"),
    path("offices/<str:code>/partners/", practices.partners, name="api_office_partners"),
    path("practices/", practices.practice_list, name="api_practices"),
    path("practices/<int:pk>/", practices.practice_detail, name="api_practice"),
    path("cycles/", assessments.cycle_list, name="api_cycles"),
    path("cycles/<int:year>/", assessments.cycle_detail, name="api_cycle"),
    path("cycles/<int:year>/kpis/", kpi.cycle_kpis, name="api_cycle_kpis"),
    path("exports/", exports.export_create, name="api_exports"),
    path("exports/<int:pk>/", exports.export_detail, name="api_export"),
    path("exports/<int:pk>/download/", exports.export_download, name="api_export_download"),
]

# The documentation pages bring their own styles (and Redoc a search worker): the strict
# policy of every other page is widened for these two only. Their scripts still come from
# our static files (drf-spectacular-sidecar) and, for Swagger UI, a URL of ours.
swagger = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api_schema")
)
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api_schema")
)

# The schema and its pages describe the API to anyone, as the README does.
schema = [
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view()),
        name="api_schema",
    ),
    path(
        "docs/",
        login_not_required(swagger),
        name="api_docs",
    ),
    path(
        "redoc/",
        login_not_required(redoc),
        name="api_redoc",
    ),
]
