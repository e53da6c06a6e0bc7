"""The roadmap's reads across framework versions: its basis, its rows, last year's notes."""

import pytest

from assessments.services import assessment_start
from roadmap.selectors import actions_of, last_year_notes, roadmap_basis, roadmap_layout

pytestmark = pytest.mark.django_db


def test_the_basis_stays_on_2024_until_the_office_opens_the_merged_cycle(
    merged_cycle, office, submitted_on_2024
):
    basis = roadmap_basis(office)
    assert basis.framework == submitted_on_2024.cycle.framework
    assert basis.levels[9] == (3, None) and not basis.across_versions


def test_the_basis_moves_to_2027_with_the_lowest_levels_of_the_merged_parts(
    merged_cycle, office, respondent, submitted_on_2024
):
    assessment_start(cycle=merged_cycle, office=office, user=respondent)
    basis = roadmap_basis(office)
    assert (basis.year, basis.framework) == (submitted_on_2024.cycle.year, merged_cycle.framework)
    assert basis.levels[2] == (2, 3)  # of 2 (4, 5), 8 (2, 3) and 9 (3, none)
    assert basis.levels[8] == (1, 2)  # 2024's 10
    assert basis.across_versions and basis.crosswalk.sources[2] == (2, 8, 9)


def test_the_rows_show_every_action_under_the_recommendation_that_continues_its_own(
    merged_cycle, office, respondent, roadmap_on_2024
):
    assessment_start(cycle=merged_cycle, office=office, user=respondent)
    layout = roadmap_layout(roadmap_basis(office), actions_of(office.roadmap))
    rows = {row.recommendation.number: row for row in layout.rows}
    assert sorted(rows) == [2, 8]
    under_2 = {action.label: action.origin for action in rows[2].actions}
    assert {label: origin.number for label, origin in under_2.items()} == {
        roadmap_on_2024["on 2"].label: 2,
        "Pilot a cloud archive": 8,
        "Open a data catalogue": 9,
        "Inventory of datasets": 9,  # done: still on 2024's 9, shown under 2027's 2
    }
    assert {origin.version for origin in under_2.values()} == {"2024"}
    assert [a.label for a in rows[8].actions] == ["Train the examiners"]
    assert rows[8].actions[0].origin.number == 10
    assert layout.retired == []


def test_last_years_notes_beside_the_merged_question(
    merged_cycle, office, respondent, roadmap_on_2024
):
    assessment_start(cycle=merged_cycle, office=office, user=respondent)
    notes = last_year_notes(office, merged_cycle.year, merged_cycle.framework)
    merged = notes[2]
    assert (merged.current, merged.target, merged.parts, merged.version) == (
        2,
        3,
        (2, 8, 9),
        "2024",
    )
    assert [(done.label, done.origin.number) for done in merged.done] == [
        ("Inventory of datasets", 9)
    ]
    assert notes[8].renumbered and notes[8].parts == (10,) and notes[8].target == 2
    assert notes[3].parts == ()  # the same recommendation: nothing to say


def test_last_years_notes_read_in_a_few_queries_within_one_version(
    office, respondent, submitted_on_2024, django_assert_num_queries
):
    with django_assert_num_queries(3):
        last_year_notes(office, submitted_on_2024.cycle.year + 1, submitted_on_2024.cycle.framework)
