from django.urls import path

from assessments import import_views

# Mounted under secretariat/import/
urlpatterns = [
    path("", import_views.survey_import_view, name="survey_import"),
]
