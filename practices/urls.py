from django.urls import path

from practices import views

urlpatterns = [
    path("", views.catalogue, name="practices_catalogue"),
    path("<int:pk>/", views.detail, name="practice_detail"),
    path("<int:pk>/edit/", views.edit, name="practice_edit"),
    path("<int:pk>/state/", views.change_state, name="practice_state"),
    path("task-force/", views.task_force, name="practices_task_force"),
    path("office/<str:code>/", views.office_practices, name="office_practices"),
    path("office/<str:code>/new/", views.create, name="practice_create"),
    path("office/<str:code>/from-survey/", views.from_survey, name="practices_from_survey"),
    path("office/<str:code>/openness/", views.openness, name="office_openness"),
    path("office/<str:code>/partners/", views.partners, name="office_partners"),
    path("office/<str:code>/requests/", views.requests, name="office_requests"),
]
