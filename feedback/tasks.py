"""Background jobs about feedback: each takes primary keys, re-reads, and sends."""

from celery import shared_task

from feedback import notifications
from feedback.models import Feedback
from outbox.services import delivery


@shared_task(bind=True)
def send_triage_notice(self, feedback_id: int, status: str) -> None:
    feedback = (
        Feedback.objects.select_related("sender", "recommendation", "framework")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or feedback.status != status:
        return  # gone, or triaged again since: the newer notice tells the sender
    with delivery(self.request) as first:
        if first:
            notifications.triage_notice_send(feedback=feedback)
