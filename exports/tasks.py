from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _


@shared_task(
    bind=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 30,
    # Acknowledged only once run, and handed back to the broker if the process running it is
    # killed, so that a lost worker's export runs again; export_claim bounds the attempts.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    # Without a broker, built once the page that follows its progress is sent.
    run_after_response=True,
)
def run_export(self, job_id: int) -> None:
    """Runs an export job; any number of deliveries of it finish the job once."""
    from exports import services

    try:
        job = services.export_claim(job_id=job_id)
    except services.Busy:
        # Another run holds the job; if its worker was killed (its message came straight
        # back), the job's heartbeat stops and this delivery takes it over on its next try.
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(countdown=settings.EXPORT_STALLED_SECONDS + 1) from None
        return
    if job is None:
        return  # done, failed, or gone
    try:
        services.export_run(job=job, heartbeat=not self.request.is_eager)
    except SoftTimeLimitExceeded:
        services.export_fail(
            job=job,
            error=_("The export took longer than %(seconds)s seconds and was stopped.")
            % {"seconds": settings.EXPORT_TIME_LIMIT},
        )


@shared_task
def recover_stalled_exports() -> None:
    """Beat, every few seconds: exports whose worker vanished run again, or fail with "Try
    again" after their last attempt."""
    from exports import services

    services.stalled_jobs_recover()
