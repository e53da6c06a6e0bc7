"""The e-mail that tells a sender where their feedback stands."""

from django.conf import settings
from django.urls import reverse

from feedback.models import Feedback
from portal.mail import email_message


def triage_notice_send(*, feedback: Feedback) -> int:
    sender = feedback.sender
    if sender is None or not sender.is_active or not sender.email:
        return 0
    context = {
        "name": sender.get_full_name(),
        "feedback": feedback,
        "url": settings.SITE_URL.rstrip("/") + reverse("feedback_detail", args=[feedback.pk]),
    }
    # As every e-mail of the portal: in the sender's language, not the secretariat's.
    email_message(template="email/feedback_triaged", context=context, to=sender).send()
    return 1
