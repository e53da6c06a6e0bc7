import pytest
from django.urls import reverse

from kpi.services import snapshot_refresh
from tests.factories import make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db

ASIA_PACIFIC = ["JP", "KR", "SG", "MY", "PH", "CN", "IN"]
EUROPE = ["DE", "FR", "ES"]


def survey(office, codes, year=2025):
    offices = [office, *(make_office(code) for code in codes)]
    cycle = make_cycle(year, offices=offices)
    for index, each in enumerate(offices):
        make_assessment(
            cycle,
            each,
            submitted=True,
            r1={"status": "implemented" if index % 2 else "ongoing", "maturity_current": 3},
        )
    snapshot_refresh(cycle=cycle)
    return cycle


def benchmark(client, year=2025, code="AU"):
    return client.get(reverse("office_benchmark", kwargs={"code": code, "year": year}))


def test_an_office_sees_its_answers_beside_groups_of_five_or_more(client_of, respondent, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    html = benchmark(client_of(respondent)).content.decode()
    assert "All responding offices: 11 offices" in html
    assert "Asia and the Pacific: 8 offices" in html
    assert "National office: 11 offices" in html
    assert "not shown" not in html


def test_a_group_of_fewer_than_five_offices_is_never_shown(client_of, viewer, office):
    survey(office, ["DE", "FR", "ES", "NZ"])  # AU is alone in Asia and the Pacific
    response = benchmark(client_of(viewer))
    html = response.content.decode()
    assert "All responding offices: 5 offices" in html
    assert "Asia and the Pacific: too few offices to show" in html
    groups = dict(response.context["groups"])
    assert groups["Asia and the Pacific"] is None


def test_nothing_is_shown_when_fewer_than_five_offices_answered(client_of, respondent, office):
    survey(office, ["DE", "FR"])
    response = benchmark(client_of(respondent))
    assert all(group is None for _label, group in response.context["groups"])
    assert "67 %" not in response.content.decode()


def test_another_office_and_an_anonymous_visitor_are_refused(client_of, client, outsider, office):
    survey(office, ASIA_PACIFIC)
    assert benchmark(client_of(outsider)).status_code == 404
    client.logout()
    response = benchmark(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_benchmark_takes_a_fixed_number_of_queries(
    client_of, respondent, office, django_assert_max_num_queries
):
    client = client_of(respondent)
    survey(office, EUROPE)
    with django_assert_max_num_queries(14) as few:
        benchmark(client)
    survey(office, ASIA_PACIFIC + ["US", "CA", "BR", "MX"], year=2026)
    with django_assert_max_num_queries(len(few.captured_queries)):
        benchmark(client, year=2026)
