from django.urls import path

from recommendations import translation_views, views

urlpatterns = [
    path("", views.framework_detail, name="framework_current"),
    path("<str:version>/", views.framework_detail, name="framework_detail"),
    path("<str:version>/copy/", views.framework_copy_view, name="framework_copy"),
    path(
        "<str:version>/translations/",
        translation_views.framework_translations,
        name="framework_translations",
    ),
    path(
        "<str:version>/translations/<str:language>/",
        translation_views.framework_translation_edit,
        name="framework_translation_edit",
    ),
    path(
        "<str:version>/translations/<str:language>/file/",
        translation_views.framework_translation_file,
        name="framework_translation_file",
    ),
]
