from django.urls import path

from recommendations import crosswalk_views, translation_views, views

urlpatterns = [
    path("", views.framework_detail, name="framework_current"),
    # Before the version's pages: "load" is not a version.
    path("load/", crosswalk_views.framework_load, name="framework_load"),
    path("<str:version>/", views.framework_detail, name="framework_detail"),
    path("<str:version>/copy/", views.framework_copy_view, name="framework_copy"),
    path(
        "<str:version>/crosswalk/",
        crosswalk_views.framework_crosswalk,
        name="framework_crosswalk",
    ),
    path("<str:version>/file/", crosswalk_views.framework_file, name="framework_file"),
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
