from django.urls import path

from portal.audit import views

# Mounted under secretariat/audit/
urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("audit-log.csv", views.audit_log_csv, name="audit_log_csv"),
]
