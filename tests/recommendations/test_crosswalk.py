"""The carrying rule of docs/framework-evolution.md, on plain values."""

from recommendations import crosswalk
from recommendations.crosswalk import MERGED, NEW, SAME, SPLIT, Crosswalk

# The 2024 framework's recommendations 2, 8 and 9 merged into a new 2; 10 split into 7 and 8;
# 3 retired; a new recommendation 9; the rest renumbered down where needed.
MERGE_2_8_9 = Crosswalk(
    "2024",
    "2027",
    {1: (1,), 2: (2, 8, 9), 3: (4,), 4: (5,), 5: (6,), 6: (7,), 7: (10,), 8: (10,), 9: ()},
    retired=(3,),
)


def test_each_new_recommendation_says_what_it_is():
    assert MERGE_2_8_9.relations() == {
        1: SAME, 2: MERGED, 3: SAME, 4: SAME, 5: SAME, 6: SAME, 7: SPLIT, 8: SPLIT, 9: NEW
    }  # fmt: skip
    assert MERGE_2_8_9.targets(10) == (7, 8)
    assert not MERGE_2_8_9.is_identity


def test_a_merge_takes_the_least_advanced_status_and_the_lowest_levels():
    parts = {
        2: {"status": "implemented", "maturity_current": 4, "maturity_target": 5},
        8: {"status": "considering", "maturity_current": 2, "maturity_target": 3},
        9: {"status": "ongoing", "maturity_current": 3, "maturity_target": None},
    }
    assert crosswalk.carry(parts) == {
        "status": "considering",
        "maturity_current": 2,
        "maturity_target": 3,
    }


def test_an_unanswered_status_does_not_count_as_least_advanced():
    parts = {2: {"status": ""}, 8: {"status": "decided"}}
    assert crosswalk.carry(parts)["status"] == "decided"


def test_a_merged_focus_is_any_part_and_a_low_priority_every_part():
    parts = {
        2: {"focus": False, "low_priority": True, "challenge": None},
        8: {"focus": True, "low_priority": False, "challenge": None},
    }
    carried = crosswalk.carry(parts)
    assert carried["focus"] is True
    assert carried["low_priority"] is False
    assert carried["challenge"] is None


def test_merged_texts_are_kept_each_headed_by_its_number():
    parts = {
        2: {"evidence": "Open data portal", "evidence_private": False},
        8: {"evidence": "", "evidence_private": True},
        9: {"evidence": "Cloud contract", "evidence_private": True},
    }
    carried = crosswalk.carry(parts, text_fields=["evidence"])
    assert carried["evidence"] == "[2] Open data portal\n\n[9] Cloud contract"
    assert carried["evidence_private"] is True


def test_a_split_gives_each_new_recommendation_the_whole_answer():
    answers = {10: {"status": "ongoing", "maturity_current": 3}}
    carried = crosswalk.carry_office(MERGE_2_8_9, answers)
    assert carried == {7: answers[10], 8: answers[10]}


def test_a_new_recommendation_gets_nothing():
    answers = {n: {"status": "implemented"} for n in range(1, 11)}
    assert 9 not in crosswalk.carry_office(MERGE_2_8_9, answers)


def test_two_crosswalks_compose():
    later = Crosswalk("2027", "2030", {1: (1, 2), 2: (3,), 3: (9,)}, retired=(4, 5, 6, 7, 8))
    through = MERGE_2_8_9.then(later)
    assert through.old == "2024" and through.new == "2030" and through.composed
    assert through.sources == {1: (1, 2, 8, 9), 2: (4,), 3: ()}
    assert through.retired == (3, 5, 6, 7, 10)


def test_the_identity_changes_nothing():
    same = crosswalk.identity("2024", range(1, 11))
    assert same.is_identity
    assert crosswalk.carry_office(same, {4: {"status": "decided"}}) == {4: {"status": "decided"}}


def test_lines_draw_the_crosswalk_the_pages_the_file_and_the_figures_read():
    walk = crosswalk.from_lines("2024", "2027", range(1, 10), LINES_2_8_9)
    assert walk == MERGE_2_8_9


def test_a_line_to_a_number_the_new_version_lacks_is_left_out_of_the_crosswalk():
    walk = crosswalk.from_lines("2024", "2027", [1, 2], [(1, 1), (2, 2), (3, 3), (4, None)])
    assert walk.sources == {1: (1,), 2: (2,)}
    assert walk.retired == (4,)


def test_the_crosswalk_and_the_files_share_one_problem_type():
    from assessments import exchange
    from portal.problems import Problem

    found = crosswalk.problems([1, 2], [1], [(1, 1)])
    assert type(found[0]) is Problem is exchange.Problem
    assert found[0] == Problem("crosswalk", found[0].message, previous=2)


def test_a_copied_framework_continues_its_original_one_to_one(db):
    from recommendations.models import Framework
    from recommendations.selectors import crosswalk_between, crosswalk_of
    from recommendations.services import framework_copy

    original = Framework.objects.get(version="2024")
    copy = framework_copy(framework=original, version="2027")
    assert crosswalk_of(copy).is_identity
    assert crosswalk_of(original) is None
    assert crosswalk_between(original, copy).sources == {n: (n,) for n in range(1, 11)}
    assert crosswalk_between(copy, original) is None


def test_the_merge_of_2_8_and_9_reads_back_from_the_database(db):
    from recommendations.selectors import crosswalk_of
    from tests.factories import framework_merging_2_8_9

    walk = crosswalk_of(framework_merging_2_8_9())
    assert walk.sources == {1: (1,), 2: (2, 8, 9), 3: (3,), 4: (4,), 5: (5,), 6: (6,),
                            7: (7,), 8: (10,)}  # fmt: skip
    assert walk.relation(2) == MERGED and walk.relation(8) == SAME


# --- Validation: the one check of the page, the file and activation -------------------------

TEN = range(1, 11)
NINE = range(1, 10)
# MERGE_2_8_9 as lines.
LINES_2_8_9 = [
    (1, 1), (2, 2), (8, 2), (9, 2), (3, None), (4, 3), (5, 4), (6, 5), (7, 6), (10, 7), (10, 8)
]  # fmt: skip


def messages(found) -> list[str]:
    return [problem.message for problem in found]


def test_a_crosswalk_that_accounts_for_everything_has_no_problem():
    assert crosswalk.problems(TEN, NINE, LINES_2_8_9) == []


def test_a_previous_recommendation_nobody_continues_nor_retires_is_a_problem():
    lines = [line for line in LINES_2_8_9 if line != (3, None)]
    found = crosswalk.problems(TEN, NINE, lines)
    assert [(p.place, p.previous) for p in found] == [("crosswalk", 3)]
    assert "Previous recommendation 3 is not accounted for" in found[0].message


def test_a_retired_recommendation_cannot_be_continued_too():
    found = crosswalk.problems(TEN, NINE, [*LINES_2_8_9, (3, 9)])
    assert [(p.place, p.previous) for p in found] == [("crosswalk[4]", 3)]
    assert "retired and continued by 9 at once" in found[0].message


def test_a_merge_from_a_split_recommendation_is_a_tangle():
    # 2 is merged from 2 and 8, and 8 also continues into 3: what would 3 carry?
    lines = [(1, 1), (2, 2), (8, 2), (8, 3), (3, 3)]
    found = crosswalk.problems([1, 2, 3, 8], [1, 2, 3], lines)
    assert len(found) == 2  # 3 is merged from 3 and 8 as well
    assert [p.recommendation for p in found] == [2, 3]
    assert "ambiguous" in found[0].message
    assert "8 also continues into 3" in found[0].message


def test_a_split_alone_or_a_merge_alone_is_no_tangle():
    assert crosswalk.problems([1, 2], [1, 2, 3], [(1, 1), (2, 2), (2, 3)]) == []
    assert crosswalk.problems([1, 2, 3], [1], [(1, 1), (2, 1), (3, 1)]) == []


def test_unknown_numbers_are_named_with_their_place():
    found = crosswalk.problems(TEN, NINE, [*LINES_2_8_9, (11, 1), (1, 10)])
    assert [p.place for p in found] == ["crosswalk[11].previous", "crosswalk[12].recommendation"]
    assert messages(found) == [
        "The previous version has no recommendation 11.",
        "This version has no recommendation 10.",
    ]


def test_a_repeated_line_is_a_problem():
    found = crosswalk.problems(TEN, NINE, [*LINES_2_8_9, (1, 1)])
    assert [p.place for p in found] == ["crosswalk[11]"]


def test_a_first_version_has_no_crosswalk():
    assert crosswalk.problems(None, TEN, []) == []
    found = crosswalk.problems(None, TEN, [(1, 1)])
    assert [p.place for p in found] == ["crosswalk"]


def test_a_framework_cannot_be_derived_from_itself_or_a_descendant():
    parents = {"2024": None, "2027": "2024", "2030": "2027"}
    assert crosswalk.lineage_problems("2030", "2027", parents, place="derived_from") == []
    itself = crosswalk.lineage_problems("2024", "2024", parents, place="derived_from")
    assert messages(itself) == ["A framework cannot be derived from itself."]
    loop = crosswalk.lineage_problems("2024", "2030", parents, place="derived_from")
    assert messages(loop) == [
        "Framework \u20682030\u2069 is derived from \u20682024\u2069: \u20682024\u2069 cannot be "
        "derived from it in turn."
    ]


def test_the_documentation_states_the_rule_as_the_code_does():
    from pathlib import Path

    def words(text: str) -> str:
        return " ".join(text.replace("``", "`").split())

    docstring = crosswalk.__doc__
    rule = docstring[docstring.index("The carrying rule") : docstring.index("Everything here")]
    relations = docstring[docstring.index("- **new**") : docstring.index("The carrying rule")]
    documentation = (Path(__file__).parents[2] / "docs" / "framework-evolution.md").read_text()
    assert words(rule) in words(documentation)
    assert words(relations) in words(documentation)
