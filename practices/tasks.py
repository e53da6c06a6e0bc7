"""Thin tasks: re-fetch, then let ``practices.notifications`` write; safe to run twice."""

from celery import shared_task

from outbox.services import delivery
from practices import notifications
from practices.models import ContactRequest, Practice


@shared_task(bind=True)
def send_request_notice(self, request_id: int) -> None:
    request = (
        ContactRequest.objects.select_related("seeker", "target").filter(pk=request_id).first()
    )
    if request is None:
        return
    with delivery(self.request) as first:
        if first:
            notifications.request_notice_send(request=request)


@shared_task(bind=True)
def send_answer_notice(self, request_id: int) -> None:
    request = (
        ContactRequest.objects.select_related(
            "seeker", "target", "target_contact", "seeker_contact"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return
    with delivery(self.request) as first:
        if first:
            notifications.answer_notice_send(request=request)


@shared_task(bind=True)
def send_hidden_notice(self, practice_id: int) -> None:
    practice = Practice.objects.select_related("office").filter(pk=practice_id).first()
    if practice is None:
        return
    with delivery(self.request) as first:
        if first:
            notifications.hidden_notice_send(practice=practice)


@shared_task
def expire_contact_requests() -> int:
    from practices.services import expire_requests

    return expire_requests()


@shared_task
def ask_whether_still_current() -> int:
    """Once a year per entry, asks its office whether a published entry is still current."""
    return notifications.still_current_requests_send()
