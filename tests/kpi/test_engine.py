"""Every KPI of DESIGN.md on small surveys whose answers we know by heart."""

import pytest

from kpi.engine import Row, compute, percent, trend

NUMBERS = list(range(1, 11))


def row(
    office,
    number,
    status="",
    *,
    focus=False,
    low=False,
    challenge=False,
    discuss=False,
    current=None,
    target=None,
):
    return Row(office, number, status, focus, low, challenge, discuss, current, target)


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (1, 8, 13),  # 12.5 rounds up, not to even
        (5, 8, 63),  # 62.5
        (1, 3, 33),
        (2, 3, 67),
        (0, 0, 0),
        (21, 21, 100),
    ],
)
def test_percentages_are_of_respondents_rounded_half_up(count, total, expected):
    assert percent(count, total) == expected


def test_status_distribution_adoption_and_commitment_with_an_unanswered_bucket():
    rows = [
        row(1, 1, "implemented"),
        row(2, 1, "ongoing"),
        row(3, 1, "decided"),
        row(4, 1, "considering"),
        row(5, 1, "not_planned"),
        row(6, 1, ""),
        # office 7 submitted without any row for recommendation 1
        row(7, 2, "ongoing"),
    ]
    kpis = compute(rows, numbers=NUMBERS, offices={1, 2, 3, 4, 5, 6, 7})
    first = kpis["recommendations"][0]
    assert kpis["respondents"] == 7
    assert {key: value["count"] for key, value in first["status"].items()} == {
        "implemented": 1,
        "ongoing": 1,
        "decided": 1,
        "considering": 1,
        "not_planned": 1,
        "unanswered": 2,
    }
    assert first["status"]["unanswered"]["percent"] == 29
    assert first["adoption"] == {"count": 2, "percent": 29}
    assert first["commitment"] == {"count": 3, "percent": 43}
    assert sum(value["count"] for value in first["status"].values()) == 7


def test_selection_rates_and_questions_not_asked():
    rows = [
        row(1, 1, focus=True, challenge=True),
        row(2, 1, focus=True),
        row(3, 1, focus=None, low=None, challenge=None, discuss=None),  # a legacy survey
        row(4, 1, discuss=True),
    ]
    first = compute(rows, numbers=NUMBERS, offices={1, 2, 3, 4})["recommendations"][0]
    assert first["focus"] == {"count": 2, "percent": 50}
    assert first["challenge"] == {"count": 1, "percent": 25}
    assert first["discuss"] == {"count": 1, "percent": 25}
    assert first["low_priority"] == {"count": 0, "percent": 0}
    assert first["unanswered"]["focus"] == {"count": 1, "percent": 25}


def test_none_selected_counts_offices_that_answered_and_chose_nothing():
    rows = [row(1, n, focus=(n == 3)) for n in NUMBERS]  # chose recommendation 3
    rows += [row(2, n) for n in NUMBERS]  # chose none
    rows += [
        row(3, n, focus=None, low=None, challenge=None, discuss=None) for n in NUMBERS
    ]  # was not asked
    kpis = compute(rows, numbers=NUMBERS, offices={1, 2, 3})
    assert kpis["none_selected"]["focus"] == {"count": 1, "percent": 33}
    assert kpis["none_selected"]["challenge"] == {"count": 2, "percent": 67}


def test_maturity_mean_median_distribution_and_target_gap():
    rows = [
        row(1, 1, current=2, target=3),
        row(2, 1, current=3, target=3),
        row(3, 1, current=4, target=5),
        row(4, 1, current=4),
        row(5, 1),
    ]
    first = compute(rows, numbers=NUMBERS, offices={1, 2, 3, 4, 5})["recommendations"][0]
    assert first["maturity"] == {
        "mean": 3.3,
        "median": 3.5,
        "distribution": {"1": 0, "2": 1, "3": 1, "4": 2, "5": 0},
    }
    assert first["target_gap"] == {"mean": 0.7}
    assert first["unanswered"]["maturity"] == {"count": 1, "percent": 20}


def test_an_empty_group_gives_zeros_not_errors():
    kpis = compute([], numbers=NUMBERS, offices=set())
    assert kpis["respondents"] == 0
    assert kpis["recommendations"][0]["maturity"]["mean"] is None
    assert not any(entry["priority_signal"] for entry in kpis["recommendations"])


def test_the_priority_signal_needs_the_top_three_of_focus_challenge_and_discuss():
    rows = []
    # Recommendation 10 leads all three rates; 9 leads focus and challenge only.
    for office in range(1, 11):
        rows.append(row(office, 10, focus=True, challenge=True, discuss=True))
        rows.append(row(office, 9, focus=office <= 8, challenge=office <= 8, discuss=False))
        rows.append(row(office, 1, focus=office <= 2, challenge=office <= 2, discuss=office <= 2))
    kpis = compute(rows, numbers=NUMBERS, offices=set(range(1, 11)))
    flagged = [e["number"] for e in kpis["recommendations"] if e["priority_signal"]]
    assert flagged == [1, 10]  # 1 is third in each rate: fewer than three are above it


def test_ties_at_third_place_are_all_in_the_top_three():
    rows = []
    for office in range(1, 5):
        for number, threshold in {1: 4, 2: 3, 3: 2, 4: 2, 5: 1}.items():
            chosen = office <= threshold
            rows.append(row(office, number, focus=chosen, challenge=chosen, discuss=chosen))
    kpis = compute(rows, numbers=NUMBERS, offices={1, 2, 3, 4})
    flagged = [e["number"] for e in kpis["recommendations"] if e["priority_signal"]]
    assert flagged == [1, 2, 3, 4]


def test_the_trend_is_in_percentage_points_overall_and_for_the_panel():
    before = compute(
        [row(1, 1, "ongoing", current=2), row(2, 1, "considering", current=2)],
        numbers=NUMBERS,
        offices={1, 2},
    )
    now = compute(
        [
            row(1, 1, "implemented", current=3),
            row(2, 1, "ongoing", current=3),
            row(3, 1, "not_planned", current=1),
        ],
        numbers=NUMBERS,
        offices={1, 2, 3},
    )
    change = trend(now, before)
    first = change["recommendations"][0]
    assert change["respondents"] == 1
    assert first["adoption"] == 67 - 50
    assert first["status"]["considering"] == -50
    assert first["maturity_mean"] == round(2.3 - 2.0, 1)
    panel_now = compute(
        [row(1, 1, "implemented"), row(2, 1, "ongoing")], numbers=NUMBERS, offices={1, 2}
    )
    assert trend(panel_now, before)["recommendations"][0]["adoption"] == 50


def test_a_change_says_how_its_recommendation_continues_the_previous_one():
    now = compute([row(1, 2, "ongoing")], numbers=[1, 2, 3], offices={1})
    # The previous figures, carried into the new numbering, lack the new recommendation 3.
    before = compute([row(1, 2, "considering")], numbers=[1, 2], offices={1})
    changes = trend(now, before, {1: "same", 2: "merged", 3: "new"})["recommendations"]
    assert [(c["number"], c["relation"]) for c in changes] == [(1, "same"), (2, "merged")]
    assert changes[1]["adoption"] == 100
    assert {c["relation"] for c in trend(now, now)["recommendations"]} == {"same"}
