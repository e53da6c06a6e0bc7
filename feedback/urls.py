from django.urls import path

from feedback import views

urlpatterns = [
    path("", views.feedback_list, name="feedback_list"),
    path("new/", views.feedback_new, name="feedback_new"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("<int:pk>/triage/", views.feedback_triage, name="feedback_triage"),
]
