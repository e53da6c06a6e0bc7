"""Who gets which e-mail: invitations, deadline reminders, the secretariat's note, reopenings."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from assessments import notifications
from assessments.models import Invitation, Reminder
from assessments.tasks import send_deadline_reminders, send_invitations, send_reopened_notice
from portal.accounts.models import User
from portal.celery import app as celery_app
from tests.factories import (
    make_assessment,
    make_cycle,
    make_office,
    make_person,
    make_secretariat,
)

pytestmark = pytest.mark.django_db

CLOSES_ON = datetime.date(2025, 11, 30)
COMPLETE = {"status": "ongoing", "maturity_current": 3}


def days_before_closing(days: int) -> datetime.date:
    return CLOSES_ON - datetime.timedelta(days=days)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def mails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def listed_offices(note) -> list[str]:
    return re.findall(r"^- (\w\w) – ", note.body, flags=re.MULTILINE)


@pytest.fixture
def cycle(framework, office, other_office):
    return make_cycle(2025, offices=[office, other_office], closes_on=CLOSES_ON)


def without_password(email: str, office) -> User:
    person = make_person(email, office=office)
    person.set_unusable_password()
    person.save()
    return person


# --- Invitations ----------------------------------------------------------------------------


def test_each_respondent_of_an_invited_office_gets_one_invitation(
    cycle, office, respondent, colleague, viewer, outsider
):
    send_invitations.delay(cycle.pk, [office.pk])
    assert recipients() == sorted([respondent.email, colleague.email])
    assert Invitation.objects.get(cycle=cycle, office=office).sent_at is not None


def test_two_deliveries_of_the_invitations_at_once_mail_each_respondent_once(
    cycle, office, respondent, monkeypatch
):
    """The second delivery reads the invitation as unsent, then the first one sends it
    before the second gets to it: the second must not send it again."""
    reading = notifications._respondents_by_office

    def the_other_delivery_sends_first(office_ids):
        found = reading(office_ids)
        monkeypatch.setattr(notifications, "_respondents_by_office", reading)
        notifications.invitations_send(cycle=cycle, offices=[office])
        return found

    monkeypatch.setattr(notifications, "_respondents_by_office", the_other_delivery_sends_first)
    notifications.invitations_send(cycle=cycle, offices=[office])
    assert recipients() == [respondent.email]


def test_viewers_and_other_offices_get_no_invitation(cycle, office, viewer, outsider):
    send_invitations.delay(cycle.pk, [office.pk])
    assert mail.outbox == []


def test_the_invitation_names_the_year_the_office_the_deadline_and_the_form(
    cycle, office, respondent
):
    send_invitations.delay(cycle.pk, [office.pk])
    (message,) = mail.outbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "2025" in message.subject and "AU" in message.subject
    assert "IP Australia (AU) is invited to the 2025" in message.body
    assert "by 30 November 2025" in message.body
    assert f"{settings.SITE_URL}/offices/AU/2025/" in message.body
    assert "/accounts/welcome/" not in message.body


def test_an_inactive_respondent_gets_no_invitation(cycle, office, respondent, colleague):
    colleague.is_active = False
    colleague.save()
    send_invitations.delay(cycle.pk, [office.pk])
    assert recipients() == [respondent.email]


def test_an_office_without_respondents_is_skipped_and_left_unsent(cycle, office, viewer):
    send_invitations.delay(cycle.pk, [office.pk])
    assert mail.outbox == []
    assert Invitation.objects.get(cycle=cycle, office=office).sent_at is None


def test_an_office_is_invited_once_even_if_the_job_runs_again(cycle, office, respondent):
    send_invitations.delay(cycle.pk, [office.pk])
    send_invitations.delay(cycle.pk, [office.pk])
    assert len(mail.outbox) == 1


def test_the_invitations_leave_only_once_the_new_cycle_is_stored(
    framework, office, respondent, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        cycle = notifications.cycle_create(
            year=2026,
            framework=framework,
            opens_on=datetime.date(2026, 9, 1),
            closes_on=datetime.date(2026, 11, 30),
            offices=[office],
            user=secretariat,
        )
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert recipients() == [respondent.email]
    assert list(cycle.invited_offices.all()) == [office]


def test_inviting_an_office_twice_keeps_one_invitation_and_one_e_mail(
    cycle,
    office,
    other_office,
    respondent,
    outsider,
    secretariat,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        added = notifications.cycle_invite(cycle=cycle, offices=[office], user=secretariat)
    assert added == []
    assert Invitation.objects.filter(cycle=cycle, office=office).count() == 1
    assert mail.outbox == []


def test_the_e_mails_are_in_the_portal_s_language_whatever_the_sender_browses_in(
    cycle, office, respondent
):
    with translation.override("fr"):
        send_invitations.delay(cycle.pk, [office.pk])
    assert "30 November 2025" in mail.outbox[0].body


def reads(person, language: str) -> None:
    person.preferred_language = language
    person.save()


def test_each_respondent_is_invited_in_their_own_language(cycle, office, respondent, colleague):
    reads(respondent, "fr")
    with translation.override("en"):
        send_invitations.delay(cycle.pk, [office.pk])
    (french,) = mails_to(respondent)
    (english,) = mails_to(colleague)
    assert french.subject == (
        "Auto-évaluation 2025 de la maturité des TIC\u202f: invitation adressée à AU"
    )
    assert "30 nov. 2025" in french.body
    assert english.subject == "ICT maturity self-assessment 2025: invitation for AU"


def test_a_respondent_who_reads_french_is_reminded_in_french_while_the_secretariat_works_in_english(
    cycle, office, respondent, secretariat
):
    reads(respondent, "fr")
    with translation.override("en"):
        notifications.reminders_send(today=days_before_closing(14))
    (reminder,) = mails_to(respondent)
    assert reminder.subject == (
        "14 jours restants\u202f: auto-évaluation 2025 de la maturité des TIC pour AU"
    )
    assert "sera close dans 14 jours, le 30 nov. 2025" in reminder.body
    assert "l’office IP Australia (AU) n’a pas encore soumis ses réponses" in reminder.body
    (note,) = mails_to(secretariat)
    assert note.subject == "Deadline reminders sent on 16 November 2025"


def test_the_secretariat_s_note_is_in_the_language_of_each_of_its_members(
    cycle, office, respondent, secretariat
):
    reads(secretariat, "fr")
    notifications.reminders_send(today=days_before_closing(7))
    (note,) = mails_to(secretariat)
    assert note.subject == "Rappels d’échéance envoyés le 23 nov. 2025"
    assert "Cycle 2025, clôture le 30 nov. 2025 (dans 7 jours)\u202f:" in note.body


def test_a_reopening_notice_is_in_the_respondent_s_language(cycle, office, respondent, colleague):
    reads(colleague, "fr")
    assessment = make_assessment(cycle, office, submitted=True)
    with translation.override("en"):
        send_reopened_notice.delay(assessment.pk, "Les chiffres de la recommandation 4.")
    (french,) = mails_to(colleague)
    assert french.subject == "Votre auto-évaluation 2025 (AU) est de nouveau ouverte"
    assert "Motif indiqué\u202f:" in french.body
    assert mails_to(respondent)[0].subject == "Your 2025 self-assessment (AU) is open again"


def test_a_reopen_request_reaches_the_secretariat_in_its_language(
    cycle, office, respondent, secretariat
):
    reads(secretariat, "fr")
    assessment = make_assessment(cycle, office, submitted=True)
    held = SimpleNamespace(assessment=assessment, user=respondent, values={"x": 1})
    with translation.override("en"):
        notifications.reopen_request_send(held=held)
    (request,) = mails_to(secretariat)
    assert request.subject == "AU demande la réouverture de son auto-évaluation 2025"


# --- A person without a password ------------------------------------------------------------


def welcome_path(message) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/welcome/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_person_without_a_password_chooses_one_through_the_invitation_and_lands_home(
    client, cycle, office
):
    newcomer = without_password("alex@ipaustralia.test", office)
    send_invitations.delay(cycle.pk, [office.pk])
    (message,) = mails_to(newcomer)
    assert f"{settings.SITE_URL}/offices/AU/2025/" in message.body

    page = client.get(welcome_path(message), follow=True)
    assert "Welcome to the ICT maturity portal — choose your password" in page.content.decode()
    assert newcomer.email in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "correct-horse-battery", "new_password2": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(newcomer.pk)
    assert client.get(reverse("home"))["Location"] == reverse("office_home", args=["AU"])

    client.post(reverse("logout"))
    login = client.post(
        reverse("login"), {"username": newcomer.email, "password": "correct-horse-battery"}
    )
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(newcomer.pk)


def test_a_used_welcome_link_says_it_does_not_work_any_more(client, cycle, office):
    newcomer = without_password("alex@ipaustralia.test", office)
    send_invitations.delay(cycle.pk, [office.pk])
    path = welcome_path(mail.outbox[0])
    page = client.get(path, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "correct-horse-battery", "new_password2": "correct-horse-battery"},
    )
    client.post(reverse("logout"))

    html = client.get(path, follow=True).content.decode()
    assert "This link does not work any more" in html
    assert User.objects.get(pk=newcomer.pk).check_password("correct-horse-battery")


def test_a_reminder_brings_a_person_without_a_password_a_fresh_link(cycle, office):
    newcomer = without_password("alex@ipaustralia.test", office)
    notifications.reminders_send(today=days_before_closing(7))
    (message,) = mails_to(newcomer)
    assert "/accounts/welcome/" in message.body


# --- Deadline reminders ---------------------------------------------------------------------


@pytest.mark.parametrize("days", [14, 7, 2])
def test_offices_that_have_not_submitted_are_reminded_14_7_and_2_days_before_closing(
    cycle, office, respondent, colleague, viewer, days
):
    notifications.reminders_send(today=days_before_closing(days))
    reminded = [message for message in mail.outbox if "days left" in message.subject]
    assert sorted(address for message in reminded for address in message.to) == sorted(
        [respondent.email, colleague.email]
    )
    assert reminded[0].subject.startswith(f"{days} days left")
    assert f"closes in {days} days, on 30 November 2025" in reminded[0].body
    assert Reminder.objects.filter(cycle=cycle, office=office, days_before=days).exists()


@pytest.mark.parametrize("days", [15, 13, 8, 3, 1, 0])
def test_no_reminder_goes_out_on_other_days(cycle, respondent, secretariat, days):
    notifications.reminders_send(today=days_before_closing(days))
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_submitted_office_is_never_reminded(cycle, office, respondent, outsider):
    make_assessment(cycle, office, submitted=True)
    for days in (14, 7, 2):
        notifications.reminders_send(today=days_before_closing(days))
    assert recipients() == [outsider.email] * 3
    assert not Reminder.objects.filter(office=office).exists()


def test_a_draft_is_reminded_with_how_far_it_has_got(cycle, office, respondent):
    make_assessment(
        cycle,
        office,
        r1=COMPLETE,
        r2=COMPLETE,
        r3=COMPLETE,
        r4={"status": "implemented"},  # no maturity level yet: not complete
        r5={"maturity_current": 2},
    )
    notifications.reminders_send(today=days_before_closing(7))
    (message,) = mails_to(respondent)
    assert "Your office’s draft has 3 of 10 sections complete" in message.body
    assert f"{settings.SITE_URL}/offices/AU/2025/" in message.body


def test_an_office_that_has_not_started_is_told_so(cycle, office, respondent):
    notifications.reminders_send(today=days_before_closing(2))
    (message,) = mails_to(respondent)
    assert "closes in 2 days" in message.body
    assert "Your office has not started its assessment yet." in message.body


def test_the_secretariat_s_note_lists_exactly_the_offices_reminded(
    cycle, office, other_office, respondent, outsider, secretariat, colead
):
    japan = make_office("JP", "Japan Patent Office")
    make_person("aoi@jpo.test", office=japan)
    cycle.invitations.create(office=japan)
    make_assessment(cycle, japan, submitted=True)
    france = make_office("FR", "INPI")  # invited, but nobody to write to
    cycle.invitations.create(office=france)
    germany = make_office("DE", "DPMA")  # not invited
    make_person("lena@dpma.test", office=germany)
    other_secretary = make_secretariat("ann@ib.test")
    retired = make_secretariat("former@ib.test")
    retired.is_active = False
    retired.save()

    notifications.reminders_send(today=days_before_closing(14))

    notes = [message for message in mail.outbox if "Deadline reminders" in message.subject]
    assert sorted(note.to[0] for note in notes) == [other_secretary.email, secretariat.email]
    assert listed_offices(notes[0]) == ["AU", "NZ"]
    assert "AU – IP Australia" in notes[0].body
    assert "Cycle 2025, closing on 30 November 2025 (in 14 days)" in notes[0].body
    assert f"{settings.SITE_URL}/secretariat/cycles/2025/" in notes[0].body
    assert mails_to(colead) == []


def test_no_note_goes_to_the_secretariat_when_nobody_was_reminded(
    cycle, office, other_office, secretariat
):
    make_assessment(cycle, office, submitted=True)
    make_assessment(cycle, other_office, submitted=True)
    notifications.reminders_send(today=days_before_closing(7))
    assert mail.outbox == []


def test_running_the_reminders_twice_the_same_day_sends_nothing_new(
    cycle, respondent, outsider, secretariat
):
    notifications.reminders_send(today=days_before_closing(7))
    sent = len(mail.outbox)
    notifications.reminders_send(today=days_before_closing(7))
    assert len(mail.outbox) == sent == 3
    assert Reminder.objects.count() == 2


def test_each_reminder_day_sends_its_own_reminder(cycle, office, respondent):
    for days in (14, 7, 2):
        notifications.reminders_send(today=days_before_closing(days))
    assert len(mails_to(respondent)) == 3
    assert sorted(Reminder.objects.filter(office=office).values_list("days_before", flat=True)) == [
        2,
        7,
        14,
    ]


def test_a_cycle_that_has_not_opened_yet_sends_no_reminder(framework, office, respondent):
    make_cycle(2025, offices=[office], opens_on=CLOSES_ON, closes_on=CLOSES_ON)
    notifications.reminders_send(today=days_before_closing(2))
    assert mail.outbox == []


def test_an_office_reached_is_recorded_even_if_another_cannot_be(
    cycle, office, other_office, respondent, outsider, monkeypatch
):
    real_send = notifications._send

    def failing_for_nz(messages):
        messages = list(messages)
        if any(message.to == [outsider.email] for message in messages):
            raise OSError("mail server refused")
        real_send(messages)

    monkeypatch.setattr(notifications, "_send", failing_for_nz)
    with pytest.raises(OSError):
        notifications.reminders_send(today=days_before_closing(7))
    assert list(Reminder.objects.values_list("office__code", flat=True)) == ["AU"]


def test_the_reminders_take_a_fixed_number_of_queries_however_many_offices(
    cycle, secretariat, django_assert_max_num_queries
):
    codes = ["FR", "DE", "ES", "IT", "JP", "KR", "CN", "BR", "MX", "CA"]
    for code in codes:
        office = make_office(code)
        make_person(f"cio@{code.lower()}.test", office=office)
        cycle.invitations.create(office=office)
        make_assessment(cycle, office, r1=COMPLETE)
    with django_assert_max_num_queries(6):
        notifications.reminders_send(today=days_before_closing(7))
    assert Reminder.objects.count() == len(codes)


def test_the_daily_job_reminds_for_today_and_is_scheduled(framework, office, respondent):
    make_cycle(
        2025,
        offices=[office],
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    send_deadline_reminders.delay()
    assert recipients() == [respondent.email]
    task = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]["task"]
    assert task in celery_app.tasks


# --- Reopening ------------------------------------------------------------------------------


def test_the_respondents_are_told_their_assessment_was_reopened_and_why(
    cycle, office, respondent, colleague, viewer, outsider
):
    assessment = make_assessment(cycle, office, submitted=True)
    send_reopened_notice.delay(assessment.pk, "The figures for recommendation 4 were wrong.")
    assert recipients() == sorted([respondent.email, colleague.email])
    message = mails_to(respondent)[0]
    assert "reopened the 2025 ICT maturity self-assessment of IP Australia (AU)" in message.body
    assert "The figures for recommendation 4 were wrong." in message.body
    assert f"{settings.SITE_URL}/offices/AU/2025/" in message.body
