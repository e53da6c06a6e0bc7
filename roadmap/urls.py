from django.urls import path

from roadmap import views

# Mounted under offices/<code>/roadmap/
urlpatterns = [
    path("", views.roadmap_page, name="roadmap"),
    path("actions/new/", views.action_new, name="roadmap_action_new"),
    path("actions/<int:pk>/", views.action_edit, name="roadmap_action"),
    path("actions/<int:pk>/remove/", views.action_remove, name="roadmap_action_remove"),
    path("history/", views.roadmap_history, name="roadmap_history"),
]
