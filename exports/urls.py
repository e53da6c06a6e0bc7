from django.urls import path

from exports import views

urlpatterns = [
    path("", views.exports_home, name="exports_home"),
    path("annex/", views.annex_start, name="export_annex_start"),
    path("data/", views.data_start, name="export_data_start"),
    path("<int:pk>/", views.job_detail, name="export_job"),
    path("<int:pk>/status/", views.job_status, name="export_job_status"),
    path("<int:pk>/download/", views.job_download, name="export_job_download"),
    path("<int:pk>/retry/", views.job_retry, name="export_job_retry"),
]
