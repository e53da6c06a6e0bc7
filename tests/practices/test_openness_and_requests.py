"""Openness is explicit, dated and revocable at once; contact details change hands only when
the other office accepts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.audit.models import AuditEvent
from practices import services
from practices.models import OPEN_REQUEST_LIMIT, ContactRequest, Openness
from tests import factories


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a service and then what it put off until the commit (the outbox's sends)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def open_on(office, person, number, *, share=True, joint=False):
    services.openness_set(
        office=office, user=person, choices={number: {"share": share, "joint": joint}}
    )


def test_openness_is_dated_and_recorded_per_recommendation(office, respondent):
    services.openness_set(
        office=office, user=respondent, choices={10: {"share": True}, 3: {"joint": True}}
    )
    rows = {o.number: o for o in Openness.objects.filter(office=office)}
    assert rows[10].share and not rows[10].joint
    assert rows[3].joint and rows[3].changed_by == respondent


def test_another_office_cannot_open_an_office(office, outsider):
    with pytest.raises(PermissionDenied):
        services.openness_set(office=office, user=outsider, choices={10: {"share": True}})
    assert not Openness.objects.exists()


def test_a_request_reaches_the_other_offices_respondents(
    office, respondent, other_office, outsider, committed
):
    open_on(other_office, outsider, 10)
    mail.outbox.clear()

    request = committed(
        services.contact_request_send,
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="We would like to learn about your AI classifier.",
        user=respondent,
    )

    assert request.state == ContactRequest.State.PENDING
    assert [m.to for m in mail.outbox] == [[outsider.email]]
    assert "AI classifier" in mail.outbox[0].body
    assert respondent.email not in mail.outbox[0].body  # no contact details before acceptance


def test_a_request_to_an_office_not_open_is_refused_without_saying_more(
    office, respondent, other_office, outsider
):
    open_on(other_office, outsider, 10, share=False, joint=True)
    with pytest.raises(services.RequestRefused):
        services.contact_request_send(
            seeker=office,
            target=other_office,
            number=10,
            purpose="share",
            message="Hello",
            user=respondent,
        )
    assert not ContactRequest.objects.exists()


def test_an_office_cannot_ask_itself(office, respondent):
    open_on(office, respondent, 10)
    with pytest.raises(services.RequestRefused):
        services.contact_request_send(
            seeker=office, target=office, number=10, purpose="share", message="Me", user=respondent
        )


def test_accepting_names_the_contacts_and_tells_the_seeker(
    office, respondent, other_office, outsider, committed
):
    open_on(other_office, outsider, 10)
    request = services.contact_request_send(
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="Hi",
        user=respondent,
    )
    mail.outbox.clear()

    committed(services.contact_request_answer, request=request, user=outsider, accept=True)

    request.refresh_from_db()
    assert request.state == ContactRequest.State.ACCEPTED
    assert (request.target_contact, request.seeker_contact) == (outsider, respondent)
    assert [m.to for m in mail.outbox] == [[respondent.email]]
    assert outsider.email in mail.outbox[0].body


def test_only_the_asked_office_answers(office, respondent, colleague, other_office, outsider):
    open_on(other_office, outsider, 10)
    request = services.contact_request_send(
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="Hi",
        user=respondent,
    )
    with pytest.raises(PermissionDenied):
        services.contact_request_answer(request=request, user=colleague, accept=True)
    request.refresh_from_db()
    assert request.state == ContactRequest.State.PENDING


def test_a_declined_request_reveals_no_contact(
    office, respondent, other_office, outsider, committed
):
    open_on(other_office, outsider, 10)
    request = services.contact_request_send(
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="Hi",
        user=respondent,
    )
    mail.outbox.clear()
    committed(services.contact_request_answer, request=request, user=outsider, accept=False)

    request.refresh_from_db()
    assert request.state == ContactRequest.State.DECLINED
    assert request.target_contact is None
    assert [e.kind for e in AuditEvent.objects.order_by("pk")][-2:] == [
        AuditEvent.Kind.CONTACT_REQUESTED,
        AuditEvent.Kind.CONTACT_DECLINED,
    ]
    assert outsider.email not in mail.outbox[0].body


def test_open_requests_are_limited(office, respondent):
    targets = [
        factories.make_office(code)
        for code in ("FR", "DE", "ES", "IT", "PT", "PL", "SE", "FI", "DK", "NO", "IE")
    ]
    for target in targets:
        person = factories.make_person(f"cio@{target.code.lower()}.test", office=target)
        open_on(target, person, 10)
    for target in targets[:OPEN_REQUEST_LIMIT]:
        services.contact_request_send(
            seeker=office, target=target, number=10, purpose="share", message="Hi", user=respondent
        )
    with pytest.raises(services.RequestRefused):
        services.contact_request_send(
            seeker=office,
            target=targets[-1],
            number=10,
            purpose="share",
            message="Hi",
            user=respondent,
        )


def test_an_unanswered_request_expires_and_can_no_longer_be_accepted(
    office, respondent, other_office, outsider
):
    open_on(other_office, outsider, 10)
    request = services.contact_request_send(
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="Hi",
        user=respondent,
    )
    ContactRequest.objects.filter(pk=request.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert services.expire_requests() == 1
    with pytest.raises(services.RequestRefused):
        services.contact_request_answer(request=request, user=outsider, accept=True)
    lapsed = AuditEvent.objects.get(kind=AuditEvent.Kind.CONTACT_EXPIRED)
    assert lapsed.object_id == str(request.pk)
    assert lapsed.user is None  # the portal let it lapse, not whoever was on a page
    assert services.expire_requests() == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONTACT_EXPIRED).count() == 1
