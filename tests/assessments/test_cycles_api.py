import datetime

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Cycle, Invitation
from tests.api import token_client
from tests.factories import make_cycle

pytestmark = pytest.mark.django_db


def test_the_secretariat_opens_a_cycle_and_invites_offices(
    secretariat, office, other_office, django_capture_on_commit_callbacks, respondent
):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(secretariat).post(
            reverse("api_cycles"),
            {
                "year": 2027,
                "framework": "2024",
                "opens_on": "2027-09-01",
                "closes_on": "2027-11-30",
                "offices": ["au", "NZ"],
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] in ("upcoming", "open", "closed")
    cycle = Cycle.objects.get(year=2027)
    assert set(Invitation.objects.filter(cycle=cycle).values_list("office__code", flat=True)) == {
        "AU",
        "NZ",
    }
    assert any(respondent.email in message.to for message in mail.outbox)


def test_a_cycle_is_refused_with_every_reason(secretariat, office):
    make_cycle(2026)
    response = token_client(secretariat).post(
        reverse("api_cycles"),
        {
            "year": 2026,
            "framework": "1999",
            "opens_on": "2026-09-01",
            "closes_on": "2026-08-01",
            "offices": ["ZZ"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"year", "framework", "offices"}
    assert Cycle.objects.count() == 1


def test_the_secretariat_moves_a_closing_date_but_never_before_the_opening(secretariat):
    make_cycle(2026)
    client = token_client(secretariat)
    moved = client.patch(
        reverse("api_cycle", args=[2026]), {"closes_on": "2026-12-15"}, format="json"
    )
    assert moved.status_code == 200
    assert Cycle.objects.get(year=2026).closes_on == datetime.date(2026, 12, 15)
    refused = client.patch(
        reverse("api_cycle", args=[2026]), {"closes_on": "2026-01-01"}, format="json"
    )
    assert refused.status_code == 400
    assert Cycle.objects.get(year=2026).closes_on == datetime.date(2026, 12, 15)


@pytest.mark.parametrize("who", ["colead", "respondent"])
def test_only_the_secretariat_writes_cycles(request, who, office):
    make_cycle(2026, offices=[office])
    client = token_client(request.getfixturevalue(who))
    created = client.post(
        reverse("api_cycles"),
        {"year": 2027, "framework": "2024", "opens_on": "2027-09-01", "closes_on": "2027-11-30"},
        format="json",
    )
    moved = client.patch(reverse("api_cycle", args=[2026]), {"closes_on": "2026-12-15"})
    assert (created.status_code, moved.status_code) == (403, 403)
    assert Cycle.objects.count() == 1


def test_an_office_reads_only_the_cycles_it_was_invited_to(outsider, office, other_office):
    make_cycle(2025, offices=[office])
    make_cycle(2026, offices=[office, other_office])
    client = token_client(outsider)
    assert [c["year"] for c in client.get(reverse("api_cycles")).json()] == [2026]
    assert client.get(reverse("api_cycle", args=[2025])).status_code == 404


def test_cycle_dates_far_from_the_survey_year_are_refused(secretariat):
    client = token_client(secretariat)
    created = client.post(
        reverse("api_cycles"),
        {"year": 2017, "framework": "2024", "opens_on": "0001-01-01", "closes_on": "9999-12-31"},
        format="json",
    )
    assert created.status_code == 400
    assert set(created.json()["errors"]) == {"opens_on", "closes_on"}
    assert "between 2016-01-01 and 2018-12-31" in created.json()["errors"]["opens_on"][0]
    assert not Cycle.objects.exists()

    make_cycle(2017)
    moved = client.patch(
        reverse("api_cycle", args=[2017]), {"closes_on": "9999-12-31"}, format="json"
    )
    assert moved.status_code == 400 and "closes_on" in moved.json()["errors"]
    assert Cycle.objects.get(year=2017).closes_on == datetime.date(2017, 11, 30)
