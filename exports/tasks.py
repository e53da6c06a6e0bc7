from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from exports.models import ExportJob


@shared_task(
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 30,
    acks_late=True,
)
def run_export(job_id: int) -> None:
    from exports import services

    job = ExportJob.objects.select_related("cycle__framework", "office").filter(pk=job_id).first()
    if job is None:
        return
    try:
        services.export_run(job=job)
    except SoftTimeLimitExceeded:
        services.export_fail(
            job=job,
            error=_("The export took longer than %(seconds)s seconds and was stopped.")
            % {"seconds": settings.EXPORT_TIME_LIMIT},
        )
