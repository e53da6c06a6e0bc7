from celery import shared_task

from portal import services


@shared_task(bind=True)
def record_heartbeat(self) -> None:
    services.heartbeat_record(hostname=self.request.hostname or "in-process")
