from django.contrib import admin
from django.urls import include, path, re_path

from exports import views as export_views
from kpi import views as kpi_views
from portal import views
from portal.accounts import views as account_views
from portal.api import urls as api_urls
from portal.api import views as api_views
from roadmap import views as roadmap_views

urlpatterns = [
    path("", views.home, name="home"),
    path("offices/<str:code>/", views.office_home, name="office_home"),
    path(
        "offices/<str:code>/<int:year>/benchmark/",
        kpi_views.office_benchmark,
        name="office_benchmark",
    ),
    path(
        "offices/<str:code>/<int:year>/summary/",
        export_views.office_summary_start,
        name="office_summary_start",
    ),
    path("offices/<str:code>/roadmap/", include("roadmap.urls")),
    path("offices/<str:code>/<int:year>/", include("assessments.urls")),
    path("colead/", views.colead_home, name="colead_home"),
    path("colead/roadmaps/", roadmap_views.roadmap_figures, name="roadmap_figures"),
    path("feedback/", include("feedback.urls")),
    path("dashboard/<int:year>/", kpi_views.cycle_dashboard, name="cycle_dashboard"),
    path("secretariat/", views.secretariat_home, name="secretariat_home"),
    path("secretariat/cycles/", include("assessments.cycle_urls")),
    path("secretariat/import/", include("assessments.import_urls")),
    path("secretariat/audit/", include("portal.audit.urls")),
    path("exports/", include("exports.urls")),
    path("framework/", include("recommendations.urls")),
    path("practices/", include("practices.urls")),
    path("accounts/", include(account_views.urlpatterns)),
    # Choosing a language works before logging in too.
    path("i18n/setlang/", account_views.language_choose, name="set_language"),
    path("accounts/", include(api_views.urlpatterns)),
    path("api/v1/", include(api_urls.v1)),
    path("api/", include(api_urls.schema)),
    # [\s\S]: an address with a newline in it is still an API address.
    re_path(r"^api/(?P<rest>[\s\S]*)$", api_views.api_not_found),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
