from celery import shared_task

from outbox import services


@shared_task
def sweep_outbox() -> None:
    """Sends again the messages that the broker refused (run by beat)."""
    services.sweep()
