"""The secretariat opens a cycle, follows its offices and invites more of them."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import Cycle, Invitation, Reminder
from portal.accounts.models import User
from portal.offices.models import MemberRole, Membership, Office
from recommendations.services import framework_copy
from tests.factories import SESSION_QUERIES, make_assessment, make_cycle, make_office, make_person

pytestmark = pytest.mark.django_db

COMPLETE = {"status": "ongoing", "maturity_current": 3}


@pytest.fixture
def new_cycle(framework, office):
    """What the secretariat types to open the 2026 cycle for IP Australia."""
    return {
        "year": "2026",
        "framework": str(framework.pk),
        "opens_on": "2026-09-01",
        "closes_on": "2026-11-30",
        "offices": [str(office.pk)],
    }


@pytest.fixture
def post_committed(django_capture_on_commit_callbacks):
    """POSTs as in production: what is queued on commit (the e-mails) runs after the view."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def invited_codes(cycle: Cycle) -> list[str]:
    return list(cycle.invited_offices.order_by("code").values_list("code", flat=True))


def row_of(html: str, code: str) -> str:
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")
    (row,) = [row for row in rows if f'<span class="code-badge">{code}</span>' in row]
    return row


# --- Opening a cycle ------------------------------------------------------------------------


def test_the_secretariat_opens_a_cycle_and_its_respondents_are_invited(
    client_of, secretariat, new_cycle, respondent, viewer, outsider, post_committed
):
    client = client_of(secretariat)
    response = post_committed(client, reverse("cycle_create"), new_cycle)

    assert response.status_code == 302
    assert response["Location"] == reverse("cycle_detail", args=[2026])
    cycle = Cycle.objects.get(year=2026)
    assert (cycle.opens_on, cycle.closes_on) == (
        datetime.date(2026, 9, 1),
        datetime.date(2026, 11, 30),
    )
    assert invited_codes(cycle) == ["AU"]
    assert [message.to for message in mail.outbox] == [[respondent.email]]
    assert Invitation.objects.get(cycle=cycle).sent_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Cycle 2026 is created: 1 office invited." in page


def test_the_form_offers_active_frameworks_with_the_current_one_chosen(
    client_of, secretariat, framework
):
    framework_copy(framework=framework, version="2027")  # a draft
    html = client_of(secretariat).get(reverse("cycle_create")).content.decode()
    assert f'<option value="{framework.pk}" selected>' in html
    assert "2027" not in html
    assert 'type="date"' in html


def test_the_offices_are_grouped_by_region(client_of, secretariat, office, other_office):
    make_office("FR", "INPI")
    html = client_of(secretariat).get(reverse("cycle_create")).content.decode()
    assert html.index("Asia and the Pacific") < html.index("IP Australia")
    assert html.index("IP Australia") < html.index("Europe") < html.index("INPI")


def test_a_whole_region_is_invited_without_javascript(
    client_of, secretariat, new_cycle, office, other_office, post_committed
):
    make_office("FR", "INPI")
    new_cycle.update(offices=[], regions=["asia_pacific"])
    post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert invited_codes(Cycle.objects.get(year=2026)) == ["AU", "NZ"]


def test_every_office_is_invited_with_one_box(
    client_of, secretariat, new_cycle, office, other_office, post_committed
):
    make_office("FR", "INPI")
    new_cycle.update(offices=[], invite_all="on")
    post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert invited_codes(Cycle.objects.get(year=2026)) == ["AU", "FR", "NZ"]


def test_a_year_that_has_a_cycle_already_is_refused_with_a_clear_message(
    client_of, secretariat, new_cycle, office, respondent, post_committed
):
    make_cycle(2026)
    response = post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert response.status_code == 200
    assert "There is a 2026 cycle already." in response.content.decode()
    assert Cycle.objects.count() == 1
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_cycle_cannot_close_before_it_opens(client_of, secretariat, new_cycle, post_committed):
    new_cycle["closes_on"] = "2026-08-31"
    response = post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert "A cycle cannot close before it opens." in response.content.decode()
    assert not Cycle.objects.exists()


def test_a_draft_framework_cannot_be_used(
    client_of, secretariat, framework, new_cycle, post_committed
):
    draft = framework_copy(framework=framework, version="2027")
    new_cycle["framework"] = str(draft.pk)
    response = post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert "A cycle uses an active framework, not a draft." in response.content.decode()
    assert not Cycle.objects.exists()


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["colead", "respondent"])
def test_the_cycle_pages_are_refused_to_everyone_but_the_secretariat(
    client_of, request, person, new_cycle, other_office, post_committed
):
    cycle = make_cycle(2025)
    client = client_of(request.getfixturevalue(person))
    assert client.get(reverse("cycle_create")).status_code == 403
    assert client.get(reverse("cycle_detail", args=[2025])).status_code == 403
    assert post_committed(client, reverse("cycle_create"), new_cycle).status_code == 403
    invite = post_committed(
        client, reverse("cycle_invite", args=[2025]), {"offices": [other_office.pk]}
    )
    assert invite.status_code == 403
    assert list(Cycle.objects.all()) == [cycle]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_anonymous_visitor_is_sent_to_login_and_nothing_is_created(
    client, new_cycle, other_office, post_committed
):
    make_cycle(2025)
    for url, data in [
        (reverse("cycle_create"), new_cycle),
        (reverse("cycle_detail", args=[2025]), {}),
        (reverse("cycle_invite", args=[2025]), {"offices": [other_office.pk]}),
    ]:
        response = post_committed(client, url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Cycle.objects.count() == 1
    assert not Invitation.objects.exists()


def test_an_unknown_year_is_not_found(client_of, secretariat):
    assert client_of(secretariat).get(reverse("cycle_detail", args=[1999])).status_code == 404


# --- Inviting more --------------------------------------------------------------------------


def test_inviting_more_offices_leaves_the_invited_ones_alone(
    client_of, secretariat, office, other_office, respondent, outsider, post_committed
):
    cycle = make_cycle(2025, offices=[office])
    sent_at = datetime.datetime(2025, 9, 1, 8, tzinfo=datetime.UTC)
    Invitation.objects.filter(cycle=cycle).update(sent_at=sent_at)

    # A page left open in another tab still ticks IP Australia.
    response = post_committed(
        client_of(secretariat),
        reverse("cycle_invite", args=[2025]),
        {"offices": [office.pk, other_office.pk]},
    )

    assert response["Location"] == reverse("cycle_detail", args=[2025])
    assert invited_codes(cycle) == ["AU", "NZ"]
    assert Invitation.objects.filter(cycle=cycle, office=office).get().sent_at == sent_at
    assert [message.to for message in mail.outbox] == [[outsider.email]]


def test_the_invite_form_offers_only_offices_not_invited_yet(
    client_of, secretariat, office, other_office
):
    make_cycle(2025, offices=[office])
    html = client_of(secretariat).get(reverse("cycle_detail", args=[2025])).content.decode()
    form = html.split('id="invite-heading"')[1]
    assert "Intellectual Property Office of New Zealand" in form
    assert f'value="{office.pk}"' not in form


def test_inviting_nobody_says_so(client_of, secretariat, office, other_office):
    make_cycle(2025, offices=[office])
    response = client_of(secretariat).post(
        reverse("cycle_invite", args=[2025]), {"offices": []}, follow=True
    )
    assert "Choose at least one office to invite." in response.content.decode()
    assert Invitation.objects.count() == 1


def test_when_every_office_is_invited_there_is_nothing_to_choose(
    client_of, secretariat, office, other_office
):
    make_cycle(2025, offices=[office, other_office])
    html = client_of(secretariat).get(reverse("cycle_detail", args=[2025])).content.decode()
    assert "Every registered office is invited." in html


# --- Following a cycle ----------------------------------------------------------------------


def test_the_cycle_page_shows_how_each_office_is_doing(
    client_of, secretariat, office, other_office, respondent, outsider
):
    cycle = make_cycle(2025, offices=[office, other_office])
    japan = make_office("JP", "Japan Patent Office")
    make_person("staff@jpo.test", office=japan, member_role="viewer")
    cycle.invitations.create(office=japan)
    france = make_office("FR", "INPI")
    make_person("cio@inpi.test", office=france)
    cycle.invitations.create(office=france)
    make_assessment(cycle, office, r1=COMPLETE, r2=COMPLETE, r3={"status": "implemented"})
    make_assessment(cycle, other_office, submitted=True)
    cycle.invitations.filter(office=office).update(
        sent_at=datetime.datetime(2025, 9, 2, 7, tzinfo=datetime.UTC)
    )
    for days in (14, 7):
        Reminder.objects.create(cycle=cycle, office=office, days_before=days)

    html = client_of(secretariat).get(reverse("cycle_detail", args=[2025])).content.decode()

    assert "1 September 2025" in html and "30 November 2025" in html
    australia = row_of(html, "AU")
    assert "Draft, 2/10 complete" in australia
    assert "Sent on 2 September 2025" in australia
    assert "14 days before" in australia and "7 days before" in australia
    assert "Asia and the Pacific" in australia
    assert "Submitted on 1 October 2025" in row_of(html, "NZ")
    assert "Not started" in row_of(html, "FR")
    assert "Not sent yet" in row_of(html, "FR")
    assert "No respondent" in row_of(html, "JP")
    assert "No respondent" not in row_of(html, "FR")


@pytest.mark.parametrize("office_count", [2, 25])
def test_the_cycle_page_takes_a_fixed_number_of_queries(
    client_of, secretariat, framework, office_count, django_assert_max_num_queries
):
    codes = sorted(
        {"AT", "BE", "BR", "CA", "CH", "CL", "CN", "CO", "CZ", "DE", "DK", "EG", "ES", "FI"}
        | {"FR", "GB", "GH", "IE", "IN", "IT", "JP", "KE", "KR", "MA", "MX", "NG", "NO", "PE"}
    )[:office_count]
    cycle = make_cycle(2025)
    for code in codes:
        office = make_office(code)
        make_person(f"cio@{code.lower()}.test", office=office)
        cycle.invitations.create(office=office)
        make_assessment(cycle, office, r1=COMPLETE)
        Reminder.objects.create(cycle=cycle, office=office, days_before=14)
    make_office("US")  # one left to invite
    client = client_of(secretariat)
    # One more than before the tracker could filter: the reminders asked today.
    with django_assert_max_num_queries(10 + SESSION_QUERIES):
        response = client.get(reverse("cycle_detail", args=[2025]))
    assert response.content.decode().count('<span class="code-badge">') == office_count + 1


def test_the_secretariat_home_links_to_the_cycle_pages(client_of, secretariat, colead):
    make_cycle(2025)
    home = client_of(secretariat).get(reverse("secretariat_home")).content.decode()
    assert f'href="{reverse("cycle_create")}"' in home
    assert f'href="{reverse("cycle_detail", args=[2025])}"' in home
    cycles = client_of(colead).get(reverse("colead_home")).content.decode()
    assert reverse("cycle_detail", args=[2025]) not in cycles


class TestRemindNow:
    """The secretariat reminds one office at once from the response tracker."""

    def url(self, cycle, code="AU"):

        return reverse("cycle_remind", kwargs={"year": cycle.year, "code": code})

    def test_the_respondents_get_a_reminder_and_it_is_recorded(
        self,
        client_of,
        secretariat,
        respondent,
        viewer,
        open_cycle,
        django_capture_on_commit_callbacks,
    ):

        with django_capture_on_commit_callbacks(execute=True):
            response = client_of(secretariat).post(self.url(open_cycle))
        assert response.status_code == 302
        assert [message.to for message in mail.outbox] == [[respondent.email]]
        assert Reminder.objects.filter(cycle=open_cycle, office__code="AU").count() == 1

    def test_pressing_twice_the_same_day_sends_one_reminder(
        self, client_of, secretariat, respondent, open_cycle, django_capture_on_commit_callbacks
    ):

        client = client_of(secretariat)
        for _attempt in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                client.post(self.url(open_cycle))
        assert len(mail.outbox) == 1

    def test_an_office_that_submitted_is_not_reminded(
        self, client_of, secretariat, respondent, draft, django_capture_on_commit_callbacks
    ):

        draft.status = "submitted"
        draft.save()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_of(secretariat).post(self.url(draft.cycle), follow=True)
        assert "has submitted already" in response.content.decode()
        assert mail.outbox == []

    def test_only_the_secretariat_reminds(
        self, client_of, colead, respondent, open_cycle, django_capture_on_commit_callbacks
    ):

        for person in (colead, respondent):
            with django_capture_on_commit_callbacks(execute=True):
                assert client_of(person).post(self.url(open_cycle)).status_code == 403
        assert mail.outbox == []

    def test_the_tracker_shows_the_last_activity(self, client_of, secretariat, respondent, draft):

        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r1-status": "ongoing"}
        )

        html = (
            client_of(secretariat)
            .get(reverse("cycle_detail", args=[draft.cycle.year]))
            .content.decode()
        )
        assert "Last activity" in html
        assert "Remind AU now" in html


class TestTracker:
    """The response tracker finds an office among many, and acts on the ones that lag."""

    @pytest.fixture
    def offices(self, open_cycle, office, other_office, respondent):
        """AU drafting, NZ submitted with a respondent, JP invited with nobody to answer."""
        make_person("cio@iponz.test", office=other_office)
        japan = make_office("JP", "Japan Patent Office")
        open_cycle.invitations.create(office=japan)
        make_assessment(open_cycle, office, r1=COMPLETE)
        make_assessment(open_cycle, other_office, submitted=True)
        return open_cycle

    def codes(self, client, cycle, **params):
        html = client.get(reverse("cycle_detail", args=[cycle.year]), params).content.decode()
        return re.findall(r'<tr id="office-(\w+)">', html)

    def test_it_searches_by_code_or_by_name(self, client_of, secretariat, offices):
        client = client_of(secretariat)
        assert self.codes(client, offices, q="jp") == ["JP"]
        assert self.codes(client, offices, q="zealand") == ["NZ"]
        assert self.codes(client, offices, q="nothing like it") == []

    def test_it_filters_by_state(self, client_of, secretariat, offices):
        client = client_of(secretariat)
        assert self.codes(client, offices, state="submitted") == ["NZ"]
        assert self.codes(client, offices, state="draft") == ["AU"]
        assert self.codes(client, offices, state="not_started") == ["JP"]
        assert self.codes(client, offices, state="unreachable") == ["JP"]
        assert self.codes(client, offices, state="bogus") == ["AU", "JP", "NZ"]

    def test_the_count_pills_are_links_that_filter(self, client_of, secretariat, offices):
        html = client_of(secretariat).get(reverse("cycle_detail", args=[offices.year]))
        html = html.content.decode()
        assert re.search(r'href="[^"]*\?state=submitted"[^>]*>1 submitted<', html)
        assert re.search(r'href="[^"]*\?state=unreachable"[^>]*>1 without a respondent<', html)

    def test_it_sorts_by_progress_and_by_name(self, client_of, secretariat, offices):
        client = client_of(secretariat)
        assert self.codes(client, offices, sort="progress") == ["NZ", "AU", "JP"]
        # "Intellectual Property Office of New Zealand" before "IP Australia".
        assert self.codes(client, offices, sort="name") == ["NZ", "AU", "JP"]
        assert self.codes(client, offices) == ["AU", "JP", "NZ"]

    def test_an_office_without_a_respondent_offers_to_invite_one(
        self, client_of, secretariat, offices
    ):
        html = client_of(secretariat).get(reverse("cycle_detail", args=[offices.year]))
        japan = row_of(html.content.decode(), "JP")
        assert "Invite a respondent for JP" in japan
        assert f'href="{reverse("admin:accounts_user_add")}?office=JP&amp;role=respondent"' in japan

    def test_the_invitation_opens_the_add_page_with_the_office_and_role_filled_in(
        self, client_of, secretariat, offices
    ):
        html = row_of(
            client_of(secretariat)
            .get(reverse("cycle_detail", args=[offices.year]))
            .content.decode(),
            "JP",
        )
        link = re.search(r'href="([^"]*)" class="invite-person"', html).group(1)
        page = client_of(secretariat).get(link.replace("&amp;", "&"))
        formset = next(
            f for f in page.context["inline_admin_formsets"] if f.formset.model is Membership
        )
        [form] = formset.formset.forms
        japan = Office.objects.get(code="JP")
        assert form.initial == {"office": japan.pk, "role": MemberRole.RESPONDENT}
        assert f'<option value="{japan.pk}" selected>' in page.content.decode()

    def test_the_invited_person_is_saved_with_the_office_and_role(
        self, client_of, secretariat, offices
    ):
        japan = Office.objects.get(code="JP")
        url = reverse("admin:accounts_user_add") + "?office=JP&role=respondent"
        client_of(secretariat).post(
            url,
            {
                "email": "new.person@jpo.test",
                "usable_password": "false",
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-0-office": japan.pk,
                "memberships-0-role": "respondent",
            },
        )
        person = User.objects.get(email="new.person@jpo.test")
        assert list(person.memberships.values_list("office__code", "role")) == [
            ("JP", "respondent")
        ]

    def test_remind_now_asks_for_confirmation_and_is_marked_once_sent(
        self, client_of, secretariat, offices, django_capture_on_commit_callbacks
    ):
        client = client_of(secretariat)
        url = reverse("cycle_detail", args=[offices.year])
        australia = row_of(client.get(url).content.decode(), "AU")
        assert "<details" in australia and "1 respondent of AU gets a reminder" in australia
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("cycle_remind", args=[offices.year, "AU"]), {"back": "q=au"})
        australia = row_of(client.get(url).content.decode(), "AU")
        assert "Reminded today" in australia and "disabled" in australia
        assert "Remind AU now" not in australia

    def test_remind_now_is_marked_while_the_mail_queue_holds_it(
        self, client_of, secretariat, offices
    ):
        client = client_of(secretariat)
        # Committed but not dispatched (what a down broker leaves): asked, not sent yet.
        response = client.post(reverse("cycle_remind", args=[offices.year, "AU"]), {"back": "q=au"})
        assert response["Location"] == reverse("cycle_detail", args=[offices.year]) + "?q=au"
        html = client.get(reverse("cycle_detail", args=[offices.year])).content.decode()
        assert "Reminded today" in row_of(html, "AU")
        assert mail.outbox == []

    def test_remind_all_names_how_many_and_reminds_them(
        self,
        client_of,
        secretariat,
        offices,
        office,
        other_office,
        respondent,
        django_capture_on_commit_callbacks,
    ):
        third = make_office("FR", "INPI")
        make_person("cio@inpi.test", office=third)
        offices.invitations.create(office=third)
        client = client_of(secretariat)
        html = client.get(reverse("cycle_detail", args=[offices.year])).content.decode()
        assert "Remind all who have not submitted" in html
        assert "Send 2 reminders" in html  # AU and FR: NZ submitted, JP has nobody
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("cycle_remind_all", args=[offices.year]), {"count": "2"}, follow=True
            )
        assert "Reminders are on their way to the respondents of 2 offices." in (
            response.content.decode()
        )
        assert sorted(m.to[0] for m in mail.outbox) == ["cio@inpi.test", respondent.email]
        reminded = Reminder.objects.filter(cycle=offices).values_list("office__code", flat=True)
        assert sorted(reminded) == ["AU", "FR"]
        html = client.get(reverse("cycle_detail", args=[offices.year])).content.decode()
        assert "Send 2 reminders" not in html

    def test_remind_all_refuses_a_count_that_is_no_longer_true(
        self, client_of, secretariat, offices, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_of(secretariat).post(
                reverse("cycle_remind_all", args=[offices.year]), {"count": "5"}, follow=True
            )
        assert "has changed since the page was shown" in response.content.decode()
        assert mail.outbox == [] and not Reminder.objects.exists()

    def test_remind_all_is_refused_to_others(
        self, client_of, colead, respondent, offices, django_capture_on_commit_callbacks
    ):
        url = reverse("cycle_remind_all", args=[offices.year])
        with django_capture_on_commit_callbacks(execute=True):
            assert client_of(colead).post(url, {"count": "1"}).status_code == 403
            assert client_of(respondent).post(url, {"count": "1"}).status_code == 403
            assert Client().post(url, {"count": "1"}).status_code == 302  # to login
        assert mail.outbox == []

    def test_a_submission_is_reopened_from_its_row(
        self, client_of, secretariat, offices, django_capture_on_commit_callbacks
    ):
        client = client_of(secretariat)
        html = client.get(reverse("cycle_detail", args=[offices.year])).content.decode()
        assert "Reopen NZ" in row_of(html, "NZ") and "Reopen AU" not in row_of(html, "AU")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("assessment_reopen", args=["NZ", offices.year]),
                {"reason": "Recommendation 3 needs your new figures.", "back": "cycle"},
            )
        assert response["Location"] == (reverse("cycle_detail", args=[offices.year]) + "#office-NZ")
        assessment = offices.assessments.get(office__code="NZ")
        assert assessment.status == "draft" and assessment.reopened_at is not None


def test_cycle_dates_far_from_the_survey_year_are_refused(
    client_of, secretariat, new_cycle, post_committed
):
    new_cycle.update(opens_on="0001-01-01", closes_on="9999-12-31")
    response = post_committed(client_of(secretariat), reverse("cycle_create"), new_cycle)
    assert response.status_code == 200
    assert response.content.decode().count("dates must lie between 2025-01-01 and 2027-12-31") == 2
    assert not Cycle.objects.exists()
