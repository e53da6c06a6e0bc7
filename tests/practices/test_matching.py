"""Partner matching: only offices open on the recommendation, never the seeker, nothing read of
an office beyond what it opened, in the documented order with its reasons."""

import pytest

from practices import matching, services
from practices.models import Practice
from tests import factories


@pytest.fixture
def cycle(framework):
    return factories.make_cycle(2025)


def submitted(cycle, office, **levels):
    answers = {
        f"r{n}": {"maturity_current": cur, "maturity_target": tgt}
        for n, (cur, tgt) in levels.items()
    }
    return factories.make_assessment(cycle, office, submitted=True, **answers)


def person_of(office):
    return factories.make_person(f"cio@{office.code.lower()}.test", office=office)


def test_the_ranking_follows_the_documented_score_with_reasons(cycle, office, respondent):
    factories.make_assessment(
        cycle,
        office,
        r10={
            "maturity_current": 2,
            "maturity_target": 3,
            "challenge": True,
            "challenge_comment": "Image search for trademark examiners is slow.",
        },
    )
    ahead = factories.make_office("NZ")
    similar = factories.make_office("FR")
    closed = factories.make_office("DE")
    submitted(cycle, ahead, **{"10": (4, 5)})
    submitted(cycle, similar, **{"10": (2, 3)})
    submitted(cycle, closed, **{"10": (5, 5)})
    nz = person_of(ahead)
    services.openness_set(office=ahead, user=nz, choices={10: {"share": True}})
    services.openness_set(
        office=similar, user=person_of(similar), choices={10: {"share": True, "joint": True}}
    )
    practice = services.practice_create(
        office=ahead,
        user=nz,
        numbers=[10],
        title="AI-based image search",
        summary="Image search for trademark examiners, with explainable similarity.",
        kind=Practice.Kind.SYSTEM,
        status=Practice.Status.COMPLETED,
    )
    services.practice_publish(practice=practice, user=nz)

    share = matching.partners(seeker=office, number=10, purpose="share", user=respondent)
    joint = matching.partners(seeker=office, number=10, purpose="joint", user=respondent)

    assert [m.office.code for m in share] == ["NZ", "FR"]
    assert share[0].score > share[1].score
    assert "level 4 on recommendation 10, yours is 2, target 3" in share[0].reasons
    assert any("AI-based image search" in r for r in share[0].reasons)
    assert any("image" in r and "search" in r for r in share[0].reasons)
    assert [m.office.code for m in joint] == ["FR"]  # NZ is open to share only
    assert joint[0].parts["maturity"] == 1.0


def test_an_office_that_is_not_open_never_appears_and_its_levels_are_not_read(
    cycle, office, respondent
):
    closed = factories.make_office("DE")
    submitted(cycle, closed, **{"10": (5, 5)})
    assert matching.partners(seeker=office, number=10, purpose="share", user=respondent) == []


def test_the_seeker_never_matches_itself(cycle, office, respondent):
    services.openness_set(office=office, user=respondent, choices={10: {"share": True}})
    assert matching.partners(seeker=office, number=10, purpose="share", user=respondent) == []


def test_withdrawing_consent_removes_an_office_at_once(cycle, office, respondent):
    other = factories.make_office("NZ")
    person = person_of(other)
    services.openness_set(office=other, user=person, choices={10: {"share": True}})
    assert matching.partners(seeker=office, number=10, purpose="share", user=respondent)

    services.openness_set(office=other, user=person, choices={10: {"share": False}})

    assert matching.partners(seeker=office, number=10, purpose="share", user=respondent) == []


def test_reciprocity_reads_only_recommendations_the_other_office_opened(cycle, office, respondent):
    factories.make_assessment(
        cycle, office, r10={"maturity_current": 2}, r4={"maturity_current": 5}
    )
    other = factories.make_office("NZ")
    submitted(cycle, other, **{"10": (4, 4), "4": (1, 3)})
    person = person_of(other)
    services.openness_set(office=other, user=person, choices={10: {"share": True}})

    match = matching.partners(seeker=office, number=10, purpose="share", user=respondent)[0]
    assert match.parts["reciprocity"] == 0.0
    assert not any("4" in r and "ahead" in r for r in match.reasons)

    services.openness_set(office=other, user=person, choices={4: {"joint": True}})
    match = matching.partners(seeker=office, number=10, purpose="share", user=respondent)[0]
    assert match.parts["reciprocity"] == 1.0


def test_practices_shared_with_the_task_force_only_do_not_count_for_an_office(
    cycle, office, respondent
):
    other = factories.make_office("NZ")
    person = person_of(other)
    services.openness_set(office=other, user=person, choices={10: {"share": True}})
    practice = services.practice_create(
        office=other,
        user=person,
        numbers=[10],
        title="Internal pilot",
        summary="Only for the task force.",
        kind=Practice.Kind.PROJECT,
        status=Practice.Status.COMPLETED,
        visibility=Practice.Visibility.TASK_FORCE,
    )
    services.practice_publish(practice=practice, user=person)

    match = matching.partners(seeker=office, number=10, purpose="share", user=respondent)[0]
    assert match.practices == []


def test_the_largest_gaps_and_challenges_are_proposed_first():
    levels = {
        1: matching.Level(current=3, target=3),
        2: matching.Level(current=1, target=4),
        5: matching.Level(current=2, target=3),
        7: matching.Level(current=3, target=3, challenge=True),
    }
    assert matching.proposed_numbers(levels) == [2, 5, 7]
