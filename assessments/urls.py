from django.urls import path

from assessments import views

# Mounted under offices/<code>/<int:year>/
urlpatterns = [
    path("", views.assessment_form, name="assessment_form"),
    path("autosave/", views.assessment_autosave, name="assessment_autosave"),
    path("start/", views.assessment_start_view, name="assessment_start"),
    path("copy-last-year/", views.assessment_copy_view, name="assessment_copy"),
    path("review/", views.assessment_review, name="assessment_review"),
    path("history/", views.assessment_history, name="assessment_history"),
    path("reopen/", views.assessment_reopen_view, name="assessment_reopen"),
]
