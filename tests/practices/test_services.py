"""Practices are the office's own: drafts until it publishes, edited by its respondents only,
never overwritten by a stale tab, hidden by the secretariat with a reason the office is told."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from practices import services
from practices.models import Practice, PracticeEvent
from tests import factories


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a service and then what it put off until the commit (the outbox's sends)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def new_practice(office, person, **fields):
    values = {
        "numbers": [10],
        "title": "AI-assisted classification",
        "summary": "Patent applications are classified by a model with explainable output.",
        "kind": Practice.Kind.SYSTEM,
        "status": Practice.Status.COMPLETED,
        "tags": ["AI", "classification"],
        "outcomes": [{"indicator": "Accuracy", "baseline": "70 %", "achieved": "92 %"}],
    }
    values.update(fields)
    return services.practice_create(office=office, user=person, **values)


def test_a_new_practice_is_a_draft_of_the_office_with_its_history(office, respondent):
    practice = new_practice(office, respondent)

    assert practice.state == Practice.State.DRAFT
    assert list(practice.numbers.values_list("number", flat=True)) == [10]
    assert list(practice.tags.values_list("name", flat=True)) == ["ai", "classification"]
    assert practice.outcomes.get().achieved == "92 %"
    assert "explainable" in practice.search_document
    assert practice.events.get().kind == PracticeEvent.Kind.CREATE


def test_it_refuses_a_practice_for_another_office(office, outsider):
    with pytest.raises(PermissionDenied):
        new_practice(office, outsider)
    assert not Practice.objects.exists()


def test_it_refuses_a_viewer(office, viewer):
    with pytest.raises(PermissionDenied):
        new_practice(office, viewer)


def test_it_refuses_a_recommendation_that_does_not_exist(office, respondent):
    with pytest.raises(ValidationError):
        new_practice(office, respondent, numbers=[11])
    assert not Practice.objects.exists()


def test_the_contact_person_must_be_of_the_office(office, respondent, outsider):
    with pytest.raises(ValidationError):
        new_practice(office, respondent, contact=outsider)


def test_an_edit_from_a_stale_tab_is_refused_whole(office, respondent, colleague):
    practice = new_practice(office, respondent)
    services.practice_update(
        practice=practice, user=colleague, version=practice.version, title="Colleague's title"
    )

    with pytest.raises(services.StalePractice):
        services.practice_update(
            practice=practice, user=respondent, version=practice.version, title="Mine"
        )
    practice.refresh_from_db()
    assert practice.title == "Colleague's title"
    assert practice.events.filter(kind=PracticeEvent.Kind.EDIT).count() == 1


def test_an_edit_or_a_publication_locks_the_entry_and_not_its_office(office, respondent):
    """The office's row is its openness's lock (``openness_set``): editing one entry must not
    hold up the office's openness, nor its other entries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update_of:
        pytest.skip("rows are locked one by one on PostgreSQL only")
    practice = new_practice(office, respondent)
    with CaptureQueriesContext(connection) as queries:
        services.practice_update(
            practice=practice, user=respondent, version=practice.version, title="Plainer"
        )
        services.practice_publish(practice=practice, user=respondent)
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 2
    assert all(sql.endswith('FOR UPDATE OF "practices_practice"') for sql in locks)


def test_an_edit_records_what_changed_and_refreshes_the_search_text(office, respondent):
    practice = new_practice(office, respondent)
    services.practice_update(
        practice=practice,
        user=respondent,
        version=practice.version,
        summary="Now with blockchain timestamps.",
        tags=["blockchain"],
    )

    practice.refresh_from_db()
    assert "blockchain" in practice.search_document
    edit = practice.events.get(kind=PracticeEvent.Kind.EDIT)
    assert {c["field"] for c in edit.changes} >= {"summary", "tags"}


def test_another_office_cannot_edit_it(office, respondent, outsider):
    practice = new_practice(office, respondent)
    with pytest.raises(PermissionDenied):
        services.practice_update(
            practice=practice, user=outsider, version=practice.version, title="Taken"
        )
    practice.refresh_from_db()
    assert practice.title == "AI-assisted classification"


def test_publishing_dates_it_and_the_office_confirms_it_yearly(office, respondent):
    practice = services.practice_publish(practice=new_practice(office, respondent), user=respondent)
    assert practice.state == Practice.State.PUBLISHED
    assert practice.published_at and practice.confirmed_at
    assert not practice.is_due_for_confirmation()


def test_the_secretariat_hides_an_entry_with_a_reason_the_office_is_told(
    office, respondent, secretariat, committed
):
    practice = services.practice_publish(practice=new_practice(office, respondent), user=respondent)
    mail.outbox.clear()

    committed(
        services.practice_hide,
        practice=practice,
        user=secretariat,
        reason="Names a vendor's price.",
    )

    practice.refresh_from_db()
    assert practice.state == Practice.State.HIDDEN
    assert practice.hidden_reason == "Names a vendor's price."
    assert [m.to for m in mail.outbox] == [[respondent.email]]
    assert "Names a vendor's price." in mail.outbox[0].body
    with pytest.raises(PermissionDenied):
        services.practice_publish(practice=practice, user=respondent)


def test_only_the_secretariat_hides(office, respondent, colead):
    practice = services.practice_publish(practice=new_practice(office, respondent), user=respondent)
    with pytest.raises(PermissionDenied):
        services.practice_hide(practice=practice, user=colead, reason="No.")


def test_survey_descriptions_become_drafts_once(open_cycle, office, respondent):
    assessment = factories.make_assessment(
        open_cycle,
        office,
        r4={"focus": True, "focus_comment": "Zero-trust architecture for the back office."},
        r10={"focus": True, "focus_comment": "AI-based image search for examiners."},
        r3={"focus": False, "focus_comment": "Not a focus, not copied."},
    )

    first = services.practices_from_assessment(assessment=assessment, user=respondent)
    again = services.practices_from_assessment(assessment=assessment, user=respondent)

    assert sorted(p.numbers.get().number for p in first) == [4, 10]
    assert again == []
    assert set(Practice.objects.values_list("state", flat=True)) == {Practice.State.DRAFT}


def test_an_office_is_asked_once_a_year_whether_an_entry_is_still_current(
    office, respondent, colleague
):
    import datetime

    from django.utils import timezone

    from practices import notifications

    practice = services.practice_publish(practice=new_practice(office, respondent), user=respondent)
    Practice.objects.filter(pk=practice.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=400)
    )
    mail.outbox.clear()

    assert notifications.still_current_requests_send() == 2  # both respondents
    assert notifications.still_current_requests_send() == 0  # not again the same day
    assert "AI-assisted classification" in mail.outbox[0].body
    services.practice_confirm(practice=practice, user=colleague)
    practice.refresh_from_db()
    assert not practice.is_due_for_confirmation()


def test_two_runs_of_the_yearly_question_at_once_ask_each_office_once(office, respondent):
    """A second run read the entry as due; the first asked about it before the second got to
    it: the second asks nothing."""
    import datetime

    from django.utils import timezone

    from practices import notifications

    practice = services.practice_publish(practice=new_practice(office, respondent), user=respondent)
    Practice.objects.filter(pk=practice.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=400)
    )
    stale = [Practice.objects.get(pk=practice.pk)]
    due = Practice.objects.filter(confirmation_asked_at__isnull=True)
    mail.outbox.clear()

    assert notifications.still_current_requests_send() == 1
    later = notifications._still_current_ask(
        office=office, practices=stale, due=due, now=timezone.now()
    )
    assert later == 0
    assert len(mail.outbox) == 1
