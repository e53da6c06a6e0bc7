from django.urls import path

from kpi import api

# Mounted under api/v1/
urlpatterns = [
    path("cycles/<int:year>/kpis/", api.cycle_kpis, name="api_cycle_kpis"),
]
