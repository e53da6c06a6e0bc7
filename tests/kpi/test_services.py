import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Assessment
from kpi.models import KpiSnapshot
from kpi.services import cycle_kpis, snapshot_refresh
from tests.assessments.conftest import complete_values
from tests.factories import make_assessment, make_cycle, make_office, reopen_with_draft_edits

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(office, other_office):
    """2024: AU and NZ answered; 2025: AU, NZ and EP answered, DE was invited but did not."""
    ep, de = make_office("EP"), make_office("DE")
    before = make_cycle(2024, offices=[office, other_office])
    make_assessment(before, office, submitted=True, r1={"status": "ongoing", "maturity_current": 2})
    make_assessment(
        before, other_office, submitted=True, r1={"status": "considering", "maturity_current": 2}
    )
    cycle = make_cycle(2025, offices=[office, other_office, ep, de])
    make_assessment(
        cycle,
        office,
        submitted=True,
        r1={"status": "implemented", "maturity_current": 3, "focus": True},
    )
    make_assessment(
        cycle, other_office, submitted=True, r1={"status": "ongoing", "maturity_current": 3}
    )
    late = make_assessment(cycle, ep, submitted=True, r1={"status": "not_planned"})
    late.submitted_at = datetime.datetime(2025, 12, 15, tzinfo=datetime.UTC)
    late.save()
    make_assessment(cycle, de, submitted=False, r1={"status": "implemented"})
    return cycle


def test_a_cycle_counts_only_submissions_of_its_respondents(survey):
    kpis = cycle_kpis(survey)
    assert (kpis["year"], kpis["respondents"], kpis["invited"]) == (2025, 3, 4)
    assert kpis["response_rate"] == {"count": 3, "percent": 75}
    assert kpis["on_time"] == {"count": 2, "percent": 50}
    first = kpis["recommendations"][0]
    assert first["status"]["implemented"] == {"count": 1, "percent": 33}
    assert first["adoption"] == {"count": 2, "percent": 67}
    assert first["maturity"]["mean"] == 3.0
    assert first["unanswered"]["maturity"] == {"count": 1, "percent": 33}
    second = kpis["recommendations"][1]
    assert second["status"]["unanswered"] == {"count": 3, "percent": 100}


def test_figures_by_region_and_office_type(survey):
    kpis = cycle_kpis(survey)
    assert set(kpis["by_region"]) == {"asia_pacific", "regional_organizations"}
    assert kpis["by_region"]["asia_pacific"]["respondents"] == 2
    assert (
        kpis["by_office_type"]["regional"]["recommendations"][0]["status"]["not_planned"]["count"]
        == 1
    )


def test_the_trend_compares_with_the_previous_cycle_overall_and_for_the_panel(survey):
    trend = cycle_kpis(survey)["trend"]
    assert trend["previous_year"] == 2024
    assert trend["overall"]["respondents"] == 1
    # adoption of R1: 2024 one of two (50 %), 2025 two of three (67 %)
    assert trend["overall"]["recommendations"][0]["adoption"] == 17
    # the panel is AU and NZ: 50 % then 100 %
    assert trend["panel"]["offices"] == 2
    assert trend["panel"]["recommendations"][0]["adoption"] == 50
    assert trend["panel"]["recommendations"][0]["maturity_mean"] == 1.0


def test_a_snapshot_is_reproducible_from_the_answers(survey):
    first = snapshot_refresh(cycle=survey)
    again = snapshot_refresh(cycle=survey)
    assert first.answers_hash == again.answers_hash
    assert KpiSnapshot.objects.get(cycle=survey).document == cycle_kpis(survey)


def test_a_submission_recomputes_the_snapshot(
    open_cycle, office, respondent, django_capture_on_commit_callbacks
):
    draft = assessment_services.assessment_start(cycle=open_cycle, office=office, user=respondent)
    assessment_services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    snapshot = KpiSnapshot.objects.get(cycle=open_cycle)
    assert snapshot.document["respondents"] == 1
    assert snapshot.document["recommendations"][0]["status"]["ongoing"]["count"] == 1


def test_the_command_prints_the_same_document_as_the_api(survey, client_of, colead, capsys):
    call_command("compute_kpis", "--year", "2025", "--json")
    printed = json.loads(capsys.readouterr().out)
    served = client_of(colead).get(reverse("api_cycle_kpis", args=[2025])).json()
    assert printed == served
    assert printed["respondents"] == 3


@pytest.mark.parametrize("person", ["colead", "secretariat"])
def test_co_leads_and_the_secretariat_read_the_kpis(survey, client_of, request, person):
    snapshot_refresh(cycle=survey)
    response = client_of(request.getfixturevalue(person)).get(
        reverse("api_cycle_kpis", args=[2025])
    )
    assert response.status_code == 200
    assert response.json()["year"] == 2025


@pytest.mark.parametrize("person", ["respondent", "viewer", "outsider"])
def test_offices_cannot_read_the_kpis(survey, client_of, request, person):
    snapshot_refresh(cycle=survey)
    response = client_of(request.getfixturevalue(person)).get(
        reverse("api_cycle_kpis", args=[2025])
    )
    assert response.status_code == 403
    assert "recommendations" not in response.json()


def test_an_anonymous_caller_is_refused_the_kpis(survey, client):
    snapshot_refresh(cycle=survey)
    response = client.get(reverse("api_cycle_kpis", args=[2025]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "recommendations" not in response.json()


def test_kpis_not_computed_yet_are_a_clear_404(survey, client_of, colead):
    response = client_of(colead).get(reverse("api_cycle_kpis", args=[2025]))
    assert response.status_code == 404
    assert "not been computed yet" in response.json()["detail"]


def test_the_database_counts_give_the_figures_of_the_reference_engine(framework):
    """The SQL path and the row-by-row reference agree on a random survey with every
    awkward case: unanswered statuses, questions not asked, missing rows, partial levels."""
    import random

    from assessments.models import Answer, Assessment
    from kpi import engine

    rng = random.Random(3)
    offices = [
        make_office(code)
        for code in ["AU", "NZ", "JP", "DE", "FR", "EP", "EM", "BR", "US", "KE", "OA", "CN"]
    ]
    cycles = [make_cycle(year, offices=offices) for year in (2024, 2025)]
    for cycle in cycles:
        for office in offices:
            if rng.random() < 0.2:
                continue
            answers = {}
            for number in range(1, 11):
                if rng.random() < 0.1:
                    continue  # no row at all
                flag = lambda: rng.choice([True, False, False, None])  # noqa: E731
                current = rng.choice([None, 1, 2, 3, 4, 5])
                answers[f"r{number}"] = {
                    "status": rng.choice(
                        ["", "implemented", "ongoing", "decided", "considering", "not_planned"]
                    ),
                    "focus": flag(),
                    "low_priority": flag(),
                    "challenge": flag(),
                    "discuss": flag(),
                    "maturity_current": current,
                    "maturity_target": rng.choice([None, current or 1, 5]),
                }
            assessment = make_assessment(cycle, office, submitted=True, **answers)
            assessment.answers.exclude(
                recommendation__number__in=[int(key[1:]) for key in answers]
            ).delete()

    def rows(cycle):
        return [
            engine.Row(*values)
            for values in Answer.objects.filter(
                assessment__cycle=cycle, assessment__status=Assessment.Status.SUBMITTED
            ).values_list(
                "assessment__office_id",
                "recommendation__number",
                "status",
                "focus",
                "low_priority",
                "challenge",
                "discuss",
                "maturity_current",
                "maturity_target",
            )
        ]

    numbers = list(range(1, 11))
    now, before = (
        set(Assessment.objects.filter(cycle=c).values_list("office_id", flat=True))
        for c in reversed(cycles)
    )
    document = cycle_kpis(cycles[1])
    expected = engine.compute(rows(cycles[1]), numbers=numbers, offices=now)
    # Target attainment rests on two cycles' rows, not on this group's: checked apart.
    attainment = engine.target_attainment(
        {(r.office, r.number): (r.current, r.target) for r in rows(cycles[0])},
        {(r.office, r.number): r.current for r in rows(cycles[1])},
        now,
        numbers=numbers,
    )
    assert document["target_attainment"] == attainment["overall"]
    for entry in document["recommendations"]:
        assert entry.pop("target_attainment") == attainment["recommendations"][entry["number"]]
        # No roadmap here: the actions' share is checked in tests/kpi/test_actions_done.py.
        assert entry.pop("actions_done_by_due_date") == {"count": 0, "of": 0, "percent": None}
    assert document["recommendations"] == expected["recommendations"]
    assert document["none_selected"] == expected["none_selected"]
    europe = {o.pk for o in offices if o.region == "europe"} & now
    assert (
        document["by_region"]["europe"]["recommendations"]
        == engine.compute(rows(cycles[1]), numbers=numbers, offices=europe)["recommendations"]
    )
    panel = now & before
    assert document["trend"]["panel"]["offices"] == len(panel)
    assert (
        document["trend"]["panel"]["recommendations"]
        == engine.trend(
            engine.compute(rows(cycles[1]), numbers=numbers, offices=panel),
            engine.compute(rows(cycles[0]), numbers=numbers, offices=panel),
        )["recommendations"]
    )


def test_the_command_names_the_cycles_there_are_for_an_unknown_year(survey):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"There is no 1999 cycle \(cycles: 2024, 2025\)\."):
        call_command("compute_kpis", "--year", "1999")


def test_a_reopened_submission_counts_as_submitted_never_as_revised(
    survey, office, secretariat, respondent
):
    before = cycle_kpis(survey)
    for assessment in Assessment.objects.filter(office=office):  # this year's and last year's
        reopen_with_draft_edits(
            assessment,
            secretariat=secretariat,
            respondent=respondent,
            **{"r1-status": "not_planned", "r1-maturity_current": 5, "r3-focus": True},
        )
    assert cycle_kpis(survey) == before
    assert before["respondents"] == 3 and before["trend"]["panel"]["offices"] == 2


def test_the_heatmap_shows_a_reopened_submission_as_submitted(
    survey, office, secretariat, respondent
):
    from kpi.dashboard import heatmap

    def draw():
        recommendations = list(survey.framework.recommendations.order_by("number"))
        return [
            heatmap(survey, mode=mode, region="", office_type="", recommendations=recommendations)
            for mode in ("status", "maturity")
        ]

    before = draw()
    reopen_with_draft_edits(
        Assessment.objects.get(office=office, cycle=survey),
        secretariat=secretariat,
        respondent=respondent,
        **{"r1-status": "not_planned", "r1-maturity_current": 5},
    )
    assert draw() == before


def test_the_figures_of_a_cycle_that_closed_yesterday_are_computed_once_more(
    office, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from kpi.tasks import recompute_closed_cycles
    from outbox.models import OutboxMessage

    today = timezone.localdate()
    closed = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        recompute_closed_cycles.apply()
    assert KpiSnapshot.objects.filter(cycle=closed).exists()
    assert OutboxMessage.objects.get().sent_at is not None
