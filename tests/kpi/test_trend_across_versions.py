"""Trends and targets across two framework versions go through the crosswalk, by its one
rule (recommendations.crosswalk), and say so; between unrelated versions there is no trend.

The 2027 framework merges the 2024 recommendations 2, 8 and 9 into its 2 and renumbers 10
as 8 (tests.factories.framework_merging_2_8_9).
"""

import pytest

from kpi.services import cycle_kpis
from recommendations.models import Framework, Recommendation
from tests.factories import framework_merging_2_8_9, make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db


def answer(status="", current=None, target=None, **flags) -> dict:
    return {"status": status, "maturity_current": current, "maturity_target": target, **flags}


@pytest.fixture
def offices(office, other_office):
    return {"AU": office, "NZ": other_office, **{c: make_office(c) for c in ("EP", "DE", "JP")}}


@pytest.fixture
def merged(offices):
    """2024 on the 2024 framework, 2027 on the 2027 one.

    2024, carried into the 2027 numbering by the rule (least advanced status, lowest levels):
    AU: 2 implemented L3, 8 considering L2 target 4 (a focus), 9 ongoing L4
        -> new 2 considering, L2, target 4, a focus; 10 decided L1 target 3 -> new 8.
    NZ: 2 ongoing L2 target 3, 8 ongoing L3 target 4, 9 implemented L3
        -> new 2 ongoing, L2, target 3; 10 implemented L2 -> new 8.
    EP: 2 implemented L5 only -> new 2 implemented L5.
    DE: 2 not planned L1 -> new 2 not planned L1.
    2027: AU new 2 ongoing L4, new 8 implemented L3; NZ new 2 ongoing L2, new 8 implemented
    L2; JP new 2 implemented L4; EP has a draft only, DE is not invited.
    """
    au, nz, ep, de, jp = (offices[c] for c in ("AU", "NZ", "EP", "DE", "JP"))
    before = make_cycle(2024, offices=[au, nz, ep, de])
    make_assessment(
        before,
        au,
        submitted=True,
        r1=answer("implemented", 4),
        r2=answer("implemented", 3),
        r8=answer("considering", 2, 4, focus=True),
        r9=answer("ongoing", 4),
        r10=answer("decided", 1, 3),
    )
    make_assessment(
        before,
        nz,
        submitted=True,
        r1=answer("ongoing", 2),
        r2=answer("ongoing", 2, 3),
        r8=answer("ongoing", 3, 4),
        r9=answer("implemented", 3),
        r10=answer("implemented", 2),
    )
    make_assessment(before, ep, submitted=True, r2=answer("implemented", 5))
    make_assessment(before, de, submitted=True, r2=answer("not_planned", 1))
    cycle = make_cycle(2027, framework=framework_merging_2_8_9(), offices=[au, nz, ep, jp])
    make_assessment(
        cycle,
        au,
        submitted=True,
        r1=answer("implemented", 4),
        r2=answer("ongoing", 4),
        r8=answer("implemented", 3),
    )
    make_assessment(cycle, nz, submitted=True, r2=answer("ongoing", 2), r8=answer("implemented", 2))
    make_assessment(cycle, jp, submitted=True, r2=answer("implemented", 4))
    make_assessment(cycle, ep, submitted=False, r2=answer("implemented", 1))
    return cycle


def change(document: dict, side: str, number: int) -> dict:
    trend = document["trend"][side] if side == "overall" else document["trend"]["panel"]
    return next(e for e in trend["recommendations"] if e["number"] == number)


def test_a_merged_recommendation_is_compared_with_its_parts_carried_by_the_rule(merged):
    document = cycle_kpis(merged)
    new_2 = change(document, "overall", 2)
    assert new_2["relation"] == "merged"
    # 2024: AU considering (its 8), NZ ongoing, EP implemented, DE not planned: 50 % adopted;
    # 2027: all three respondents ongoing or implemented.
    assert new_2["adoption"] == 100 - 50
    assert new_2["status"]["considering"] == 0 - 25
    # Mean level (2 + 2 + 5 + 1) / 4 = 2.5 then, (4 + 2 + 4) / 3 = 3.3 now.
    assert new_2["maturity_mean"] == 0.8
    # AU's focus on its 8 makes the merged recommendation a focus: 1 of 4, then none.
    assert new_2["focus"] == 0 - 25


def test_a_renumbered_recommendation_keeps_its_own_figures(merged):
    new_8 = change(cycle_kpis(merged), "overall", 8)
    assert new_8["relation"] == "same"
    # 2024's 10: NZ implemented of 4 respondents (25 %); 2027's 8: 2 of 3 (67 %).
    assert new_8["adoption"] == 67 - 25


def test_the_panel_compares_the_same_offices_across_the_versions(merged):
    document = cycle_kpis(merged)
    assert document["trend"]["panel"]["offices"] == 2  # AU and NZ
    new_2 = change(document, "panel", 2)
    assert new_2["relation"] == "merged"
    # AU considering and NZ ongoing then (50 %), both ongoing now; levels 2 and 2, then 4 and 2.
    assert (new_2["adoption"], new_2["maturity_mean"]) == (50, 1.0)
    assert new_2["status"]["considering"] == -50


def test_the_trend_names_the_crosswalk_it_went_through(merged):
    trend = cycle_kpis(merged)["trend"]
    assert (trend["previous_year"], trend["previous_framework"]) == (2024, "2024")
    crosswalk = trend["crosswalk"]
    assert (crosswalk["from_framework"], crosswalk["to_framework"]) == ("2024", "2027")
    assert {"number": 2, "relation": "merged", "previous": [2, 8, 9]} in crosswalk[
        "recommendations"
    ]
    assert trend["new"] == []


def test_targets_set_before_are_carried_by_the_rule_and_measured(merged):
    document = cycle_kpis(merged)
    by_number = {e["number"]: e["target_attainment"] for e in document["recommendations"]}
    # New 2: AU's lowest level 2 and lowest target 4 (its 8), level 4 now: reached; NZ's
    # lowest level 2 and lowest target 3, level 2 now: missed; EP did not answer 2027.
    assert by_number[2] == {"count": 1, "of": 2, "percent": 50}
    # New 8 (2024's 10): AU 1 -> 3, at 3 now: reached.
    assert by_number[8] == {"count": 1, "of": 1, "percent": 100}
    assert document["target_attainment"] == {"count": 2, "of": 3, "percent": 67}
    assert document["target_attainment_basis"] == {
        "previous_year": 2024,
        "previous_framework": "2024",
        "comparable": True,
        "through_crosswalk": True,
        "crosswalk": {"from_framework": "2024", "to_framework": "2027"},
    }


def test_a_new_recommendation_has_no_change_and_is_listed_as_new(offices):
    au = offices["AU"]
    before = make_cycle(2024, offices=[au])
    make_assessment(before, au, submitted=True, r2=answer("implemented", 3))
    newer = framework_merging_2_8_9(status="draft")
    Recommendation.objects.create(
        framework=newer, number=9, short_title="Open data", statement="Publish open data."
    )
    Framework.objects.filter(pk=newer.pk).update(status=Framework.Status.ACTIVE)
    cycle = make_cycle(2027, framework=newer, offices=[au])
    make_assessment(cycle, au, submitted=True, r2=answer("implemented", 3), r9=answer("ongoing"))
    trend = cycle_kpis(cycle)["trend"]
    assert trend["new"] == [9]
    assert 9 not in [e["number"] for e in trend["overall"]["recommendations"]]
    assert 9 not in [e["number"] for e in trend["panel"]["recommendations"]]
    assert {"number": 9, "relation": "new", "previous": []} in trend["crosswalk"]["recommendations"]


def test_there_is_no_trend_between_unrelated_frameworks(offices):
    au = offices["AU"]
    before = make_cycle(2024, offices=[au])
    make_assessment(before, au, submitted=True, r1=answer("implemented", 2, 4))
    other = Framework.objects.create(version="2030", title="Another framework")
    Recommendation.objects.create(framework=other, number=1, short_title="One", statement="One.")
    Framework.objects.filter(pk=other.pk).update(status=Framework.Status.ACTIVE)
    cycle = make_cycle(2030, framework=other, offices=[au])
    make_assessment(cycle, au, submitted=True, r1=answer("implemented", 4))
    document = cycle_kpis(cycle)
    assert document["trend"] is None
    assert document["trend_unavailable"] == {
        "reason": "unrelated_frameworks",
        "previous_year": 2024,
        "previous_framework": "2024",
    }
    assert document["target_attainment"] == {"count": 0, "of": 0, "percent": None}
    assert document["target_attainment_basis"]["comparable"] is False
    assert document["target_attainment_basis"]["through_crosswalk"] is False


def test_cycles_of_one_version_are_compared_by_number_without_a_crosswalk(offices):
    au = offices["AU"]
    before = make_cycle(2024, offices=[au])
    make_assessment(before, au, submitted=True, r1=answer("considering", 2))
    cycle = make_cycle(2025, offices=[au])
    make_assessment(cycle, au, submitted=True, r1=answer("implemented", 3))
    document = cycle_kpis(cycle)
    trend = document["trend"]
    assert trend["crosswalk"] is None and trend["new"] == []
    assert {e["relation"] for e in trend["overall"]["recommendations"]} == {"same"}
    assert document["trend_unavailable"] is None
    assert document["target_attainment_basis"]["through_crosswalk"] is False


# The co-lead dashboard.


@pytest.fixture
def computed(merged, offices):
    """The merged survey with a 2023 cycle before it, every snapshot computed."""
    from django.core.cache import cache

    from assessments.models import Cycle
    from kpi.services import snapshot_refresh

    au, nz = offices["AU"], offices["NZ"]
    first = make_cycle(2023, offices=[au, nz])
    make_assessment(first, au, submitted=True, r2=answer("considering", 1), r8=answer("decided"))
    make_assessment(first, nz, submitted=True, r2=answer("implemented", 3))
    for year in (2023, 2024, 2027):
        snapshot_refresh(cycle=Cycle.objects.get(year=year))
    cache.clear()
    return merged


def dashboard(client, year=2027, **filters):
    from django.urls import reverse

    return client.get(reverse("cycle_dashboard", args=[year]), filters)


def test_the_dashboard_marks_a_change_compared_through_the_crosswalk(computed, client_of, colead):
    html = dashboard(client_of(colead)).content.decode()
    trend = html[html.index('id="trend"') : html.index('id="years"')]
    assert "This comparison crosses framework versions \u20682024\u2069 → \u20682027\u2069" in trend
    assert 'href="/framework/2027/#changes-heading"' in trend
    merged_row = trend[trend.index("2. Data, cloud and infrastructure") :]
    merged_row = merged_row[: merged_row.index("</tr>")]
    assert (
        'title="Compared through the crosswalk: merged from 2, 8 and 9 of \u20682024\u2069"'
        in merged_row
    )
    assert "⇄" in merged_row
    renumbered = trend[trend.index('<th scope="row">8. ') :]
    assert (
        "Compared through the crosswalk: 10 of \u20682024\u2069"
        in renumbered[: renumbered.index("</tr>")]
    )
    first = trend[trend.index('<th scope="row">1. ') :]
    assert "⇄" not in first[: first.index("</tr>")]


def test_the_multi_year_view_joins_the_earlier_version_through_the_crosswalk(
    computed, client_of, colead
):
    response = dashboard(client_of(colead))
    view = response.context["years_view"]
    assert view["years"] == ["2023", "2024", "2027"]
    assert view["boundaries"] == {2: "framework \u20682027\u2069"}
    adoption = {row["title"].split(".")[0]: row for row in view["rows"]}
    # New 2 in 2023: AU considering (its 8 decided: the least advanced is considering), NZ
    # implemented: 50 %; in 2024 (carried, 4 offices) 50 %; in 2027 100 %.
    assert [cell["adoption"] for cell in adoption["2"]["cells"]] == [50, 50, 100]
    # The same offices: AU and NZ in 2023 and 2024 (50 % then 50 %), then in 2027 (100 %).
    assert [cell["panel"] for cell in adoption["2"]["cells"]] == [None, 0, 50]
    assert adoption["2"]["crosswalk"].endswith("merged from 2, 8 and 9 of \u20682024\u2069")
    html = response.content.decode()
    years = html[html.index('id="years"') :]
    assert 'stroke-dasharray="3 3"' in years and "framework \u20682027\u2069" in years
    assert 'class="framework-boundary"' in years


def test_there_is_no_change_between_unrelated_frameworks_and_the_dashboard_says_why(
    offices, client_of, colead
):
    from kpi.services import snapshot_refresh

    au = offices["AU"]
    make_assessment(make_cycle(2024, offices=[au]), au, submitted=True, r1=answer("ongoing"))
    other = Framework.objects.create(version="2030", title="Another framework")
    Recommendation.objects.create(framework=other, number=1, short_title="One", statement="One.")
    Framework.objects.filter(pk=other.pk).update(status=Framework.Status.ACTIVE)
    cycle = make_cycle(2030, framework=other, offices=[au])
    make_assessment(cycle, au, submitted=True, r1=answer("implemented"))
    snapshot_refresh(cycle=cycle)
    html = dashboard(client_of(colead), year=2030).content.decode()
    assert "which this version does not derive from: there is no crosswalk" in html


def test_a_kept_dashboard_across_versions_costs_what_one_within_a_version_costs(
    computed, client_of, colead, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_of(colead)
    dashboard(client, year=2024)  # draws and keeps the page
    dashboard(client)
    with django_assert_max_num_queries(20) as within:  # 2024: a first version
        dashboard(client, year=2024)
    # The versions' line of descent is read only to draw: the kept page's key holds every
    # snapshot, which the multi-year view is drawn from.
    with django_assert_num_queries(len(within.captured_queries)):
        dashboard(client)
