"""E-mails of peer learning, each in its recipient's language."""

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse

from portal.accounts.models import User
from portal.mail import email_message
from portal.offices.models import MemberRole, Office
from practices.models import ContactRequest, Practice


def _respondents(office: Office) -> list[User]:
    return list(
        User.objects.filter(
            memberships__office=office,
            memberships__role=MemberRole.RESPONDENT,
            is_active=True,
        ).order_by("email")
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _messages(template: str, context: dict, people) -> list:
    return [
        email_message(
            template=f"email/{template}", context={**context, "person": person}, to=person
        )
        for person in people
    ]


def _send(messages) -> int:
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def request_notice_send(*, request: ContactRequest) -> int:
    """Tells the target office's respondents that an office asks for contact."""
    context = {
        "request": request,
        "url": _absolute(reverse("office_requests", kwargs={"code": request.target.code})),
    }
    return _send(_messages("practice_request", context, _respondents(request.target)))


def answer_notice_send(*, request: ContactRequest) -> int:
    """Tells the seeker's respondents how the other office answered."""
    context = {
        "request": request,
        "url": _absolute(reverse("office_requests", kwargs={"code": request.seeker.code})),
    }
    return _send(_messages("practice_answer", context, _respondents(request.seeker)))


def hidden_notice_send(*, practice: Practice) -> int:
    """Tells the office's respondents that the secretariat hid one of its entries, and why."""
    context = {
        "practice": practice,
        "url": _absolute(reverse("practice_detail", kwargs={"pk": practice.pk})),
    }
    return _send(_messages("practice_hidden", context, _respondents(practice.office)))


def still_current_requests_send() -> int:
    """One e-mail per office listing its entries last confirmed over a year ago and not asked
    about since. Each office's entries are marked as asked once its e-mail has left: a run
    killed half-way asks the rest the next day, and a second run the same day sends nothing."""
    import datetime

    from django.db.models import Q
    from django.utils import timezone

    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)
    due = Practice.objects.filter(
        Q(confirmed_at__lte=year_ago) | Q(confirmed_at__isnull=True, published_at__lte=year_ago),
        state=Practice.State.PUBLISHED,
    ).filter(Q(confirmation_asked_at__isnull=True) | Q(confirmation_asked_at__lte=year_ago))
    by_office: dict = {}
    for practice in due.select_related("office"):
        by_office.setdefault(practice.office, []).append(practice)
    return sum(
        _still_current_ask(office=office, practices=practices, due=due, now=now)
        for office, practices in by_office.items()
    )


def _still_current_ask(*, office, practices: list, due, now) -> int:
    """Asks ``office`` about those of ``practices`` still ``due``. They are claimed while the
    e-mail leaves: a second run at the same time waits, then finds them asked, as it does
    after a run that finished."""
    from django.db import transaction

    with transaction.atomic():
        claimed = set(
            due.filter(pk__in=[p.pk for p in practices])
            .select_for_update()
            .values_list("pk", flat=True)
        )
        practices = [p for p in practices if p.pk in claimed]
        if not practices:
            return 0
        context = {
            "office": office,
            "practices": practices,
            "url": _absolute(reverse("office_practices", kwargs={"code": office.code})),
        }
        sent = _send(_messages("practice_still_current", context, _respondents(office)))
        Practice.objects.filter(pk__in=claimed).update(confirmation_asked_at=now)
    return sent
