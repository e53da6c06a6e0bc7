import pytest
from django.urls import reverse

from portal.accounts.two_factor import current_code, two_factor_required
from tests.factories import make_assessment, make_cycle, make_device, make_office, make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("person", "landing"),
    [
        ("respondent", "/offices/AU/"),
        ("viewer", "/offices/AU/"),
        ("colead", "/colead/"),
        ("secretariat", "/secretariat/"),
    ],
)
def test_each_role_lands_on_its_own_home_page_after_login(client, request, person, landing):
    user = request.getfixturevalue(person)
    device = make_device(user) if two_factor_required(user) else None
    response = client.post(
        reverse("login"), {"username": user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    if device is not None:  # co-leads and the secretariat type their code first
        assert response["Location"].startswith(reverse("two_factor_verify"))
        response = client.post(response["Location"], {"code": current_code(device)})
        response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_person_without_a_role_is_told_whom_to_ask(client_of, db):
    response = client_of(make_person("nobody@example.test")).get(reverse("home"))
    assert response.status_code == 200
    assert "Your account has no role yet" in response.content.decode()


def test_login_takes_the_address_in_any_case(client, respondent):
    response = client.post(
        reverse("login"), {"username": "Robin@IPAustralia.TEST", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(respondent.pk)


def test_a_wrong_password_says_so_and_keeps_the_address(client, respondent):
    response = client.post(reverse("login"), {"username": respondent.email, "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in html
    assert f'value="{respondent.email}"' in html


def test_the_office_home_lists_its_cycles_and_people(client_of, respondent, viewer, office):
    cycle = make_cycle(2025, offices=[office])
    make_assessment(cycle, office, submitted=True)
    make_cycle(2026, offices=[office])
    html = client_of(respondent).get(reverse("office_home", args=["AU"])).content.decode()
    assert "Submitted on 1 October 2025" in html
    assert "Not started" in html
    assert viewer.email in html


@pytest.mark.parametrize("person", ["outsider", "viewer_of_nz"])
def test_an_office_home_refuses_another_office(client_of, request, office, person):
    if person == "viewer_of_nz":
        user = make_person("v@iponz.test", office=make_office("NZ"), member_role="viewer")
    else:
        user = request.getfixturevalue(person)
    response = client_of(user).get(reverse("office_home", args=["AU"]))
    assert response.status_code == 404
    assert b"IP Australia" not in response.content
    # The portal's own page, which neither confirms nor denies that the office exists.
    assert b"nothing that your account can see" in response.content


def test_an_office_home_sends_an_anonymous_visitor_to_login(client, office):
    response = client.get(reverse("office_home", args=["AU"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("colead_home", {"colead", "secretariat"}),
        ("secretariat_home", {"secretariat"}),
    ],
)
@pytest.mark.parametrize("person", ["respondent", "viewer", "colead", "secretariat"])
def test_role_pages_refuse_other_roles(client_of, request, page, allowed, person):
    response = client_of(request.getfixturevalue(person)).get(reverse(page))
    assert response.status_code == (200 if person in allowed else 403)


def test_the_console_is_for_the_secretariat(client_of, secretariat, colead, respondent):
    assert client_of(secretariat).get(reverse("admin:index")).status_code == 200
    for person in (colead, respondent):
        response = client_of(person).get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_secretariat_sees_the_system_status(client_of, secretariat):
    html = client_of(secretariat).get(reverse("secretariat_home")).content.decode()
    assert "System status" in html
    assert "WeasyPrint" in html
    assert "not working" not in html


def add_cycles(years, offices):
    for year in years:
        cycle = make_cycle(year, offices=offices)
        for office in offices[:3]:
            make_assessment(cycle, office, submitted=True)


@pytest.mark.parametrize("page", ["colead_home", "secretariat_home"])
def test_the_cycle_overviews_take_a_fixed_number_of_queries(
    client_of, secretariat, page, django_assert_max_num_queries
):
    client = client_of(secretariat)
    offices = [make_office(code) for code in ["DE", "FR", "JP", "KR", "BR", "MX", "US", "CA"]]
    add_cycles([2020, 2021], offices[:2])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(page))
    add_cycles(range(2022, 2030), offices)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(page))


def test_the_office_home_takes_a_fixed_number_of_queries(
    client_of, respondent, office, django_assert_max_num_queries
):
    client = client_of(respondent)
    make_assessment(make_cycle(2020, offices=[office]), office, submitted=True)
    with django_assert_max_num_queries(13) as few:
        client.get(reverse("office_home", args=["AU"]))
    for year in range(2021, 2026):
        make_assessment(make_cycle(year, offices=[office]), office, submitted=True)
    for index in range(5):
        make_person(f"person{index}@ipaustralia.test", office=office)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("office_home", args=["AU"]))


def test_the_health_check_answers_without_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "worker": "in-process",
        "outbox": {"pending": 0, "oldest_seconds": None, "status": "ok"},
    }


def test_a_reopened_submission_still_counts_as_submitted_in_the_cycles_table(
    office, other_office, secretariat
):
    from assessments.services import assessment_reopen
    from portal.selectors import cycles_with_counts

    cycle = make_cycle(2025, offices=[office, other_office])
    reopened = make_assessment(cycle, office, submitted=True)
    make_assessment(cycle, other_office, submitted=True)
    assessment_reopen(assessment=reopened, user=secretariat, reason="A typo in R3")

    # As in the KPIs and the annex: the office's last submission stands until it resubmits.
    assert cycles_with_counts().get(pk=cycle.pk).submitted == 2


def test_the_office_home_marks_the_first_cycle_on_a_new_framework_version(
    client_of, respondent, merged_cycle, submitted_on_2024
):
    body = client_of(respondent).get(reverse("office_home", args=["AU"])).content.decode()
    assert body.count("New framework version \u20682027\u2069") == 1


def test_the_menu_lists_each_of_a_persons_offices_in_order(client_of, office, other_office):
    from portal.offices.models import MemberRole, Membership

    respondent = make_person("two-offices@office.test", office=other_office)
    Membership.objects.create(user=respondent, office=office, role=MemberRole.VIEWER)
    html = client_of(respondent).get(reverse("practices_catalogue")).content.decode()
    assert html.index("Office AU") < html.index(f"Office {other_office.code}")


@pytest.mark.parametrize("offices", [[], ["AU"], ["AU", "NZ"]])
def test_a_person_loaded_for_a_request_brings_their_offices_codes(
    respondent, other_office, offices, django_assert_num_queries
):
    from portal.accounts.backends import RoleBackend
    from portal.context_processors import office_codes
    from portal.offices.models import MemberRole, Membership

    if "NZ" in offices:
        Membership.objects.create(user=respondent, office=other_office, role=MemberRole.VIEWER)
    if not offices:
        respondent.memberships.all().delete()
    person = RoleBackend().get_user(respondent.pk)
    with django_assert_num_queries(0):  # the menu asks nothing more
        assert office_codes(person) == offices
