from django.urls import path

from assessments import cycle_views

# Mounted under secretariat/cycles/
urlpatterns = [
    path("new/", cycle_views.cycle_create_view, name="cycle_create"),
    path("<int:year>/", cycle_views.cycle_detail, name="cycle_detail"),
    path("<int:year>/invite/", cycle_views.cycle_invite_view, name="cycle_invite"),
    path("<int:year>/remind-all/", cycle_views.cycle_remind_all_view, name="cycle_remind_all"),
    path("<int:year>/remind/<str:code>/", cycle_views.cycle_remind_view, name="cycle_remind"),
]
