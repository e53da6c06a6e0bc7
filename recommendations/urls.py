from django.urls import path

from recommendations import views

urlpatterns = [
    path("", views.framework_detail, name="framework_current"),
    path("<str:version>/", views.framework_detail, name="framework_detail"),
    path("<str:version>/copy/", views.framework_copy_view, name="framework_copy"),
]
