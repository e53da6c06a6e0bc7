"""The share of planned actions done by their due date, in the KPI document: over every
office's roadmap, the actions due within the cycle's year (docs/roadmap.md)."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from kpi.models import OfficeFigures
from kpi.services import cycle_kpis, snapshot_refresh
from roadmap.models import Roadmap, RoadmapAction
from roadmap.selectors import Share
from tests.factories import make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db

D = datetime.date
SUMMER = D(2025, 9, 1)  # during the year: an open action due in December is not due yet
NEXT_WINTER = D(2026, 1, 10)  # the year is over: every open action of 2025 is past due


def add(office, cycle, number, due_on, status="planned", done_on=None, reason=""):
    roadmap, _created = Roadmap.objects.get_or_create(office=office)
    return RoadmapAction.objects.create(
        roadmap=roadmap,
        recommendation=cycle.framework.recommendations.get(number=number),
        text=f"Action due {due_on}",
        responsible_unit="ICT division",
        due_on=due_on,
        status=status,
        done_on=done_on,
        drop_reason=reason,
    )


@pytest.fixture
def cycle(office, other_office):
    """2025. AU's roadmap:
    R1: due 1 March, done 1 February (on time); due 1 March, done that day (on time);
        due 1 April, done 1 May (late).
    R2: due 1 June, still planned (late once past); due 1 February, dropped (left out);
        due 1 December, in progress (not due in summer, late after the year).
    R3: due 1 February 2026, done in 2025 (another year's); due 31 December 2024, done
        (another year's).
    NZ's roadmap: R1 due 1 July, done 1 July (on time): offices are pooled.
    """
    cycle = make_cycle(2025, offices=[office, other_office])
    make_assessment(cycle, office, submitted=True, r1={"maturity_current": 2})
    add(office, cycle, 1, D(2025, 3, 1), "done", D(2025, 2, 1))
    add(office, cycle, 1, D(2025, 3, 1), "done", D(2025, 3, 1))
    add(office, cycle, 1, D(2025, 4, 1), "done", D(2025, 5, 1))
    add(office, cycle, 2, D(2025, 6, 1))
    add(office, cycle, 2, D(2025, 2, 1), "dropped", reason="Superseded by a shared platform")
    add(office, cycle, 2, D(2025, 12, 1), "in_progress")
    add(office, cycle, 3, D(2026, 2, 1), "done", D(2025, 11, 1))
    add(office, cycle, 3, D(2024, 12, 31), "done", D(2024, 12, 1))
    add(other_office, cycle, 1, D(2025, 7, 1), "done", D(2025, 7, 1))
    return cycle


def by_number(document: dict) -> dict:
    return {e["number"]: e["actions_done_by_due_date"] for e in document["recommendations"]}


def test_done_on_or_before_the_due_date_counts_done_after_it_is_late(cycle):
    figures = by_number(cycle_kpis(cycle, today=SUMMER))
    # R1: AU's two on time and one late, NZ's on time.
    assert figures[1] == {"count": 3, "of": 4, "percent": 75}


def test_dropped_actions_and_open_ones_not_yet_due_are_left_out(cycle):
    figures = by_number(cycle_kpis(cycle, today=SUMMER))
    # R2: only the planned action past its due date is counted, as late.
    assert figures[2] == {"count": 0, "of": 1, "percent": 0}


def test_actions_due_in_another_year_are_left_out(cycle):
    figures = by_number(cycle_kpis(cycle, today=SUMMER))
    assert figures[3] == {"count": 0, "of": 0, "percent": None}
    assert figures[4] == {"count": 0, "of": 0, "percent": None}


def test_the_overall_share_pools_every_action_and_says_its_basis(cycle):
    document = cycle_kpis(cycle, today=SUMMER)
    assert document["actions_done_by_due_date"] == {"count": 3, "of": 5, "percent": 60}
    assert document["actions_done_by_due_date_basis"] == {"year": 2025, "as_of": "2025-09-01"}


def test_once_the_year_is_over_every_open_action_of_it_is_late(cycle):
    document = cycle_kpis(cycle, today=NEXT_WINTER)
    assert by_number(document)[2] == {"count": 0, "of": 2, "percent": 0}
    assert document["actions_done_by_due_date"] == {"count": 3, "of": 6, "percent": 50}


def test_actions_on_another_framework_versions_recommendations_are_left_out(cycle, office):
    from recommendations.services import framework_copy

    newer = framework_copy(framework=cycle.framework, version="2026")
    RoadmapAction.objects.create(
        roadmap=office.roadmap,
        recommendation=newer.recommendations.get(number=1),
        text="On the draft version",
        responsible_unit="ICT division",
        due_on=D(2025, 5, 1),
        status="done",
        done_on=D(2025, 4, 1),
    )
    assert by_number(cycle_kpis(cycle, today=SUMMER))[1]["of"] == 4


def test_actions_of_an_earlier_version_count_under_the_recommendation_continuing_theirs(
    office, other_office
):
    """A 2027 cycle on the version merging 2, 8 and 9: an action done in time on the 2024
    framework's 9 (it stayed there when the open ones were carried) counts under the new 2;
    one on 10 under the new 8; one of another line of versions is not counted."""
    from recommendations.services import framework_copy
    from tests.factories import default_framework, framework_merging_2_8_9

    old = make_cycle(2026, offices=[office])
    cycle = make_cycle(2027, framework=framework_merging_2_8_9(), offices=[office])
    add(office, old, 9, D(2027, 3, 1), "done", D(2027, 2, 1))
    add(office, old, 10, D(2027, 4, 1))  # open, past due by the end of the year
    add(office, cycle, 2, D(2027, 5, 1), "done", D(2027, 6, 1))  # done late
    unrelated = framework_copy(framework=default_framework(), version="other")
    unrelated.derived_from = None
    unrelated.save()
    RoadmapAction.objects.create(
        roadmap=office.roadmap,
        recommendation=unrelated.recommendations.get(number=1),
        text="On an unrelated version",
        responsible_unit="ICT division",
        due_on=D(2027, 5, 1),
        status="done",
        done_on=D(2027, 4, 1),
    )
    document = cycle_kpis(cycle, today=D(2028, 1, 10))
    assert by_number(document)[2] == {"count": 1, "of": 2, "percent": 50}
    assert by_number(document)[8] == {"count": 0, "of": 1, "percent": 0}
    assert document["actions_done_by_due_date"] == {"count": 1, "of": 3, "percent": 33}


def test_percentages_are_rounded_half_up_as_every_published_one():
    assert Share(1, 8).percent == 13
    assert Share(0, 0).percent is None


def test_the_kpi_document_and_the_api_carry_it(cycle, client_of, colead, capsys):
    call_command("compute_kpis", year=2025, json=True)
    printed = capsys.readouterr().out
    assert '"actions_done_by_due_date": {\n    "count": 3,\n    "of": 6,' in printed
    answer = client_of(colead).get("/api/v1/cycles/2025/kpis/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["actions_done_by_due_date"] == {"count": 3, "of": 6, "percent": 50}
    assert answer.json()["recommendations"][0]["actions_done_by_due_date"]["of"] == 4


def test_the_api_refuses_an_office_and_an_anonymous_visitor(cycle, client, client_of, respondent):
    snapshot_refresh(cycle=cycle)
    assert client.get("/api/v1/cycles/2025/kpis/").status_code in (401, 403)
    assert client_of(respondent).get("/api/v1/cycles/2025/kpis/").status_code == 403


def test_office_publications_leave_it_out(cycle):
    for code in ("EP", "DE", "FR", "JP", "KR"):
        make_assessment(cycle, make_office(code), submitted=True, r1={"maturity_current": 3})
    snapshot_refresh(cycle=cycle)
    publication = OfficeFigures.objects.filter(cycle=cycle).last()
    assert publication is not None
    for group in publication.figures.values():
        if group:
            assert "actions_done_by_due_date" not in group
            assert all("actions_done_by_due_date" not in e for e in group["recommendations"])


@pytest.fixture
def computed(cycle):
    cache.clear()
    snapshot_refresh(cycle=cycle)
    return cycle


def test_a_colead_sees_it_beside_the_targets_reached(client_of, colead, computed):
    response = client_of(colead).get(reverse("cycle_dashboard", args=[2025]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="attainment"' in page
    assert "Targets reached and actions done by their due date" in page
    assert "Actions done by their due date" in page
    assert "3 of 4" in page and "75 %" in page
    assert "In all: 3 of 6." in page


def test_the_dashboard_with_roadmaps_takes_a_fixed_number_of_queries(
    client_of, colead, computed, office, django_assert_max_num_queries
):
    client = client_of(colead)
    # Cold: the snapshot's document and the framework's wording are read to draw.
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("cycle_dashboard", args=[2025]))
    for day in range(1, 21):
        add(office, computed, 5, D(2025, 3, day), "done", D(2025, 3, 1))
    cache.clear()
    snapshot_refresh(cycle=computed)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cycle_dashboard", args=[2025]))


# The daily run: the share depends on the day, so the cycles a new day can change are
# recomputed each morning, and only those.


def computed_as_of(cycle, day):
    """The cycle's snapshot as a recomputation on ``day`` stored it."""
    from kpi.models import KpiSnapshot

    document = cycle_kpis(cycle, today=day)
    KpiSnapshot.objects.update_or_create(
        cycle=cycle, defaults={"document": document, "answers_hash": document["answers_hash"]}
    )


def test_each_morning_the_cycles_whose_actions_can_still_become_late_are_recomputed(office, cycle):
    from kpi.services import daily_recompute_schedule
    from outbox.models import OutboxMessage

    morning = D(2026, 3, 10)
    before = make_cycle(2024, offices=[office])
    computed_as_of(before, D(2025, 2, 1))  # after its year: settled for good
    computed_as_of(cycle, D(2025, 12, 20))  # 2025's December actions were not all due yet
    this_year = make_cycle(2026, offices=[office])
    computed_as_of(this_year, D(2026, 3, 9))
    next_year = make_cycle(2027, offices=[office])
    computed_as_of(next_year, D(2026, 3, 9))  # nothing of 2027 can be late in 2026
    make_cycle(2028, offices=[office])  # not computed yet: nothing to refresh
    OutboxMessage.objects.all().delete()

    assert daily_recompute_schedule(today=morning) == sorted([cycle.pk, this_year.pk])
    assert sorted(m.args[0] for m in OutboxMessage.objects.all()) == sorted(
        [cycle.pk, this_year.pk]
    )
    # The next morning, 2025 has been recomputed as of 10 March: 2026 alone is.
    computed_as_of(cycle, morning)
    computed_as_of(this_year, morning)
    OutboxMessage.objects.all().delete()
    assert daily_recompute_schedule(today=morning + datetime.timedelta(days=1)) == [this_year.pk]
    # A run asked for and not started yet is not asked for twice.
    assert daily_recompute_schedule(today=morning + datetime.timedelta(days=1)) == [this_year.pk]
    assert OutboxMessage.objects.count() == 1


def test_an_action_left_open_past_its_due_date_counts_as_late_the_next_morning(
    office, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from kpi.models import KpiSnapshot
    from kpi.tasks import recompute_closed_cycles

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    this_year = make_cycle(
        yesterday.year,
        offices=[office],
        opens_on=yesterday - datetime.timedelta(days=60),
        closes_on=yesterday - datetime.timedelta(days=30),  # not the cycle closing yesterday
    )
    add(office, this_year, 1, yesterday)
    computed_as_of(this_year, yesterday)
    figures = KpiSnapshot.objects.get(cycle=this_year).document["actions_done_by_due_date"]
    assert figures["of"] == 0  # due that day: not late yet

    with django_capture_on_commit_callbacks(execute=True):
        recompute_closed_cycles.apply()

    document = KpiSnapshot.objects.get(cycle=this_year).document
    assert document["actions_done_by_due_date"] == {"count": 0, "of": 1, "percent": 0}
    assert document["actions_done_by_due_date_basis"]["as_of"] == today.isoformat()
