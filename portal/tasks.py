from celery import shared_task

from portal import services


@shared_task
def record_heartbeat() -> None:
    from celery import current_task

    services.heartbeat_record(hostname=current_task.request.hostname or "in-process")
