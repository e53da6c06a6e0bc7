from django.urls import path

from assessments import views

# Mounted under offices/<code>/<int:year>/
urlpatterns = [
    path("", views.assessment_form, name="assessment_form"),
    path("autosave/", views.assessment_autosave, name="assessment_autosave"),
    path("start/", views.assessment_start_view, name="assessment_start"),
    path("copy-last-year/", views.assessment_copy_view, name="assessment_copy"),
    path("copy-last-year/keep/", views.assessment_keep_copied_view, name="assessment_keep_copied"),
    path(
        "history/<int:pk>/undo-copy/",
        views.assessment_undo_copy_view,
        name="assessment_undo_copy",
    ),
    path("held/discard/", views.assessment_held_discard_view, name="assessment_held_discard"),
    path(
        "held/ask-reopen/",
        views.assessment_reopen_request_view,
        name="assessment_reopen_request",
    ),
    path("review/", views.assessment_review, name="assessment_review"),
    path("history/", views.assessment_history, name="assessment_history"),
    path("reopen/", views.assessment_reopen_view, name="assessment_reopen"),
]
