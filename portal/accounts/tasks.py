from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from outbox.services import delivery
from portal.accounts.services import password_reset_notice_send


@shared_task(bind=True)
def send_password_reset_notice(self, user_id: int, changed_at: str, tokens: int) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    # The e-mail leaves no trace to check: the outbox lets one delivery send it.
    with delivery(self.request) as first:
        if first:
            password_reset_notice_send(
                user=user, changed_at=parse_datetime(changed_at), tokens=tokens
            )
