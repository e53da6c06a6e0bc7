"""The disclosure rules of kpi.privacy: what an office may see of other offices."""

import datetime
import itertools
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone

from assessments.models import Answer, Assessment, AssessmentEvent
from kpi import privacy, selectors
from kpi.models import KpiSnapshot, OfficeFigures
from kpi.privacy import ALL, CHANGE, COMPLEMENT, SHOWN, SMALL, decide, region_key, type_key
from kpi.services import snapshot_refresh
from tests.factories import make_assessment, make_cycle, make_office

NATIONAL, REGIONAL = type_key("national"), type_key("regional")


def members(*offices, version=1) -> dict[str, str]:
    return {str(office): f"{office}:{version}" for office in offices}


def reasons(publications, viewer, keys=(ALL, NATIONAL, REGIONAL)):
    return [
        [d.reason for d in decisions]
        for decisions in decide(publications, viewer=str(viewer), keys=list(keys))
    ]


# Known answers of the rules, on contributions alone.


def test_a_group_of_five_others_is_shown():
    group = members(*range(1, 6))
    assert reasons([{ALL: group}], viewer=99, keys=[ALL]) == [[SHOWN]]


def test_a_group_of_five_that_includes_the_viewer_is_hidden():
    # The viewer knows its own answers: the group would give it the total of the four others.
    group = members(*range(1, 6))
    assert reasons([{ALL: group}], viewer=1, keys=[ALL]) == [[SMALL]]
    assert reasons([{ALL: members(*range(1, 7))}], viewer=1, keys=[ALL]) == [[SHOWN]]


def test_the_issues_scenario_hides_national_offices_beside_all_offices():
    # All 13, national 10, regional 3: all minus national would give the regional offices.
    national, regional = members(*range(1, 11)), members(*range(11, 14))
    publication = {ALL: national | regional, NATIONAL: national, REGIONAL: regional}
    assert reasons([publication], viewer=1) == [[SHOWN, COMPLEMENT, SMALL]]
    assert reasons([publication], viewer=12) == [[SHOWN, COMPLEMENT, SMALL]]


def test_a_complement_of_five_others_keeps_both_figures():
    national, regional = members(*range(1, 11)), members(*range(11, 16))
    publication = {ALL: national | regional, NATIONAL: national, REGIONAL: regional}
    assert reasons([publication], viewer=1) == [[SHOWN, SHOWN, SHOWN]]


def test_the_viewers_own_answers_are_subtracted_from_a_complement():
    # All 15 and national 10 differ in five regional offices, the viewer one of them: four
    # other offices would be left, so national is hidden from the viewer, not from others.
    national, regional = members(*range(1, 11)), members(*range(11, 16))
    publication = {ALL: national | regional, NATIONAL: national}
    assert reasons([publication], viewer=11, keys=[ALL, NATIONAL]) == [[SHOWN, COMPLEMENT]]
    assert reasons([publication], viewer=1, keys=[ALL, NATIONAL]) == [[SHOWN, SHOWN]]


def test_a_group_read_before_and_after_fewer_than_five_changes_is_hidden():
    before = {ALL: members(*range(1, 11))}
    after = {ALL: members(*range(1, 12))}  # one more office
    assert reasons([before, after], viewer=1, keys=[ALL]) == [[SHOWN], [CHANGE]]
    resubmitted = {ALL: members(*range(1, 10)) | members(10, version=2)}
    assert reasons([before, resubmitted], viewer=1, keys=[ALL]) == [[SHOWN], [CHANGE]]
    # The viewer's own resubmission tells it nothing it does not know.
    own = {ALL: members(*range(2, 11)) | members(1, version=2)}
    assert reasons([before, own], viewer=1, keys=[ALL]) == [[SHOWN], [SHOWN]]


def test_a_figure_shown_once_stays_known_when_later_figures_are_decided():
    # Regional offices were hidden at first; once five more of them answered, national
    # offices still cannot be shown beside an earlier "all" that differs from them by three.
    national, regional = members(*range(1, 11)), members(*range(11, 14))
    first = {ALL: national | regional, NATIONAL: national}
    more = members(*range(11, 19))
    second = {ALL: national | more, NATIONAL: national, REGIONAL: more}
    assert reasons([first, second], viewer=1) == [
        [SHOWN, COMPLEMENT, SMALL],
        [SHOWN, CHANGE, SHOWN],
    ]


def test_publication_waits_for_five_offices_or_the_cycle_closing():
    assert not privacy.should_publish(members(1, 2, 3, 4), [], closed=False)
    assert privacy.should_publish(members(1, 2, 3, 4, 5), [], closed=False)
    assert privacy.should_publish(members(1, 2), [], closed=True)
    assert not privacy.should_publish({}, [], closed=True)


def test_publication_steps_are_of_five_changed_offices_against_every_earlier_one():
    first = members(*range(1, 11))
    assert not privacy.should_publish(members(*range(1, 15)), [first], closed=True)
    second = members(*range(1, 16))
    assert privacy.should_publish(second, [first], closed=False)
    # Four of the new offices reopened, one more submitted: five changes since the second
    # publication, but only two offices (15 and 16) apart from the first.
    third = members(*range(1, 11), 15, 16)
    assert not privacy.should_publish(third, [first, second], closed=False)
    # A reopening and a resubmission of one office: the same office changed, nothing more.
    resubmitted = members(*range(1, 15)) | members(15, version=3)
    assert not privacy.should_publish(resubmitted, [first, second], closed=True)


def test_a_group_with_fewer_than_five_changes_keeps_its_published_figures():
    earlier = [{ALL: members(*range(1, 11)), NATIONAL: members(*range(1, 11))}]
    live = {
        ALL: members(*range(1, 17)),
        NATIONAL: members(*range(1, 12)),
        REGIONAL: members(*range(12, 17)),
    }
    assert privacy.carry_forward(live, earlier) == {ALL: True, NATIONAL: False, REGIONAL: True}


# Through the database: what the page reads.

CODES_NATIONAL = [
    "AU", "CN", "JP", "KR", "IN", "SG", "MY", "PH", "NZ", "GB", "DE", "FR", "ES",
    "PL", "SE", "FI", "CH", "CZ", "BR", "MX", "AR", "CL", "US", "CA",
]  # fmt: skip
CODES_REGIONAL = ["EP", "EM", "AP", "OA", "EA", "GC"]


def open_cycle(offices, year=2026):
    today = timezone.localdate()
    return make_cycle(
        year,
        offices=offices,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.mark.django_db
def test_one_more_submission_changes_nothing_offices_see(office):
    others = [make_office(code) for code in CODES_NATIONAL[1:12]]
    cycle = open_cycle([office, *others])
    for each in [office, *others[:10]]:
        make_assessment(cycle, each, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=cycle)
    before = selectors.office_view(cycle, office)
    make_assessment(cycle, others[10], submitted=True, r1={"status": "not_planned"})
    snapshot_refresh(cycle=cycle)

    after = selectors.office_view(cycle, office)

    assert OfficeFigures.objects.filter(cycle=cycle).count() == 1
    assert after == before
    assert (
        KpiSnapshot.objects.get(cycle=cycle).document["respondents"] == 12
    )  # co-leads see it at once


@pytest.mark.django_db
def test_a_reopening_and_resubmission_through_the_services_is_not_published_alone(
    office, secretariat, respondent
):
    from assessments import services

    others = [make_office(code) for code in CODES_NATIONAL[1:11]]
    cycle = open_cycle([office, *others])
    assessments = [
        make_assessment(cycle, each, submitted=True, r1={"status": "implemented"})
        for each in [office, *others]
    ]
    snapshot_refresh(cycle=cycle)
    published = OfficeFigures.objects.get(cycle=cycle)

    target = assessments[3]
    services.assessment_reopen(assessment=target, user=secretariat, reason="Typo in R1")
    Answer.objects.filter(assessment=target).update(status="not_planned")
    Assessment.objects.filter(pk=target.pk).update(
        status=Assessment.Status.SUBMITTED, version=target.version + 1
    )
    snapshot_refresh(cycle=cycle)

    assert list(OfficeFigures.objects.filter(cycle=cycle)) == [published]
    assert (
        KpiSnapshot.objects.get(cycle=cycle).document["recommendations"][0]["adoption"]["count"]
        == 10
    )


# The attacker: random surveys, every reading an office could take, every pair compared.


@dataclass
class Reading:
    contributions: dict[str, str]
    figures: dict


def adopted(answers) -> list[int]:
    return [1 if status in ("implemented", "ongoing") else 0 for status in answers]


def random_answers(rng) -> list[str]:
    return [rng.choice(["implemented", "ongoing", "considering", "not_planned"]) for _ in range(10)]


def write_answers(assessment, answers):
    for number, status in enumerate(answers, 1):
        Answer.objects.filter(assessment=assessment, recommendation__number=number).update(
            status=status
        )


def take_readings(cycle, offices, readings, truth, moments):
    """Every office reads its benchmark now; each figure it sees is checked to be exactly the
    total of the submissions listed for it, then kept."""
    latest = OfficeFigures.objects.filter(cycle=cycle).order_by("pk").last()
    for office in offices:
        view = selectors.office_view(cycle, office)
        moments[office.pk].append(
            [latest.members[peer.key] for peer in view.groups if peer.figures is not None]
        )
        for peer in view.groups:
            if peer.figures is None:
                continue
            contributions = latest.members[peer.key]
            assert peer.figures["respondents"] == len(contributions)
            for index, entry in enumerate(peer.figures["recommendations"]):
                expected = sum(truth[token][index] for token in contributions.values())
                assert entry["adoption"]["count"] == expected
            if not any(r.contributions == contributions for r in readings[office.pk]):
                readings[office.pk].append(Reading(contributions, peer.figures))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_no_pair_of_readings_reveals_fewer_than_five_offices(seed):
    rng = random.Random(seed)
    national = rng.sample(CODES_NATIONAL, rng.randint(8, 16))
    regional = rng.sample(CODES_REGIONAL, rng.randint(2, 6))
    offices = [make_office(code) for code in national + regional]
    if seed % 2 == 0:
        # Regions and types cross: the organizations placed in Europe with its states.
        for office in offices[len(national) :]:
            office.region = "europe"
            office.save()
    cycle = open_cycle(offices)
    assessments = {office.pk: make_assessment(cycle, office) for office in offices}
    truth: dict[str, list[int]] = {}  # submission token -> adoption of each recommendation
    readings: dict[int, list[Reading]] = {office.pk: [] for office in offices}
    moments: dict[int, list[list]] = {office.pk: [] for office in offices}

    for _step in range(45):
        assessment = assessments[rng.choice(offices).pk]
        assessment.refresh_from_db()
        answers = random_answers(rng)
        if assessment.status == Assessment.Status.SUBMITTED and rng.random() < 0.5:
            assessment.status = Assessment.Status.DRAFT  # reopened
            # As the reopening service records it: everyone outside the office goes on
            # reading the version submitted before it.
            AssessmentEvent.objects.create(
                assessment=assessment, kind="reopen", version=assessment.version + 1
            )
        else:
            assessment.status = Assessment.Status.SUBMITTED  # submitted or resubmitted
            write_answers(assessment, answers)
            truth[f"{assessment.pk}:{assessment.version + 1}"] = adopted(answers)
        assessment.version += 1
        assessment.submitted_at = assessment.submitted_at or timezone.now()
        assessment.save()
        snapshot_refresh(cycle=cycle)
        take_readings(cycle, offices, readings, truth, moments)
    # The cycle closes: its last publication follows the same rules.
    cycle.closes_on = cycle.opens_on
    cycle.save()
    snapshot_refresh(cycle=cycle)
    take_readings(cycle, offices, readings, truth, moments)

    shown = 0
    for office in offices:
        viewer = str(office.pk)
        seen = readings[office.pk]
        shown += len(seen)
        for first, second in itertools.combinations(seen, 2):
            apart = privacy.differing(first.contributions, second.contributions, viewer)
            assert len(apart) == 0 or len(apart) >= privacy.MIN_GROUP, (
                f"{office.code} can work out {len(apart)} offices"
            )
        for reading in seen:
            assert len(set(reading.contributions) - {viewer}) >= privacy.MIN_GROUP
        # And what one reading shows at once: any figure plus or minus the two others.
        for figures in moments[office.pk]:
            for first, second, third in itertools.permutations(figures, 3):
                for signs in itertools.product((1, -1), repeat=2):
                    terms = [(1, first), (signs[0], second), (signs[1], third)]
                    left = privacy.involved(terms, viewer)
                    assert len(left) == 0 or len(left) >= privacy.MIN_GROUP
    assert shown  # the rules hide what they must, not everything


@pytest.mark.django_db
def test_a_closed_cycle_is_published_once_even_with_few_offices(office, other_office):
    cycle = make_cycle(2025, offices=[office, other_office])  # closed on 30 November 2025
    make_assessment(cycle, office, submitted=True)
    make_assessment(cycle, other_office, submitted=True)
    snapshot_refresh(cycle=cycle)
    snapshot_refresh(cycle=cycle)

    publication = OfficeFigures.objects.get(cycle=cycle)
    assert publication.respondents == 2
    view = selectors.office_view(cycle, office)
    assert view.published_at == publication.published_at
    assert [peer.reason for peer in view.groups] == [SMALL, SMALL, SMALL]


@pytest.mark.django_db
def test_a_region_with_one_new_office_keeps_its_published_figures(office):
    asia = [office, *(make_office(code) for code in ["JP", "KR", "SG", "MY", "PH", "CN"])]
    europe = [make_office(code) for code in ["DE", "FR", "ES", "PL", "SE", "FI", "CH", "CZ", "GB"]]
    cycle = open_cycle([*asia, *europe])
    for each in [*asia[:6], *europe[:5]]:
        make_assessment(cycle, each, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=cycle)
    # Five more offices: four in Europe, one in Asia and the Pacific.
    for each in [asia[6], *europe[5:]]:
        make_assessment(cycle, each, submitted=True, r1={"status": "not_planned"})
    snapshot_refresh(cycle=cycle)

    first, second = OfficeFigures.objects.filter(cycle=cycle).order_by("pk")
    assert (first.respondents, second.respondents) == (11, 16)
    asia_key = privacy.region_key("asia_pacific")
    assert second.members[asia_key] == first.members[asia_key]
    assert second.figures[asia_key] == first.figures[asia_key]
    # Japan reads Asia and the Pacific as before, and all offices moved by five.
    assert selectors.office_view(cycle, asia[1]).group(ALL).figures["respondents"] == 16
    assert selectors.office_view(cycle, asia[1]).group(asia_key).figures["respondents"] == 6


def test_where_region_and_type_cross_region_plus_type_minus_all_is_checked():
    # Europe holds three states and six organizations placed there; nine states elsewhere.
    europe_states, organizations = members(1, 2, 3), members(*range(4, 10))
    elsewhere = members(*range(10, 19))
    publication = {
        ALL: europe_states | organizations | elsewhere,
        region_key("europe"): europe_states | organizations,
        NATIONAL: europe_states | elsewhere,
    }
    keys = [ALL, region_key("europe"), NATIONAL]
    # Every pair differs in at least six offices, but region + type - all gives states 2, 3.
    assert reasons([publication], viewer=1, keys=keys) == [[SHOWN, SHOWN, COMPLEMENT]]
    assert privacy.involved(
        [(1, publication[keys[1]]), (1, publication[NATIONAL]), (-1, publication[ALL])], "1"
    ) == {"2", "3"}


@pytest.mark.django_db
def test_an_imported_past_survey_is_published_once_under_the_same_rules(
    framework, office, django_capture_on_commit_callbacks
):
    from assessments.exchange import survey_import

    codes = ["AU", "JP", "KR", "SG", "MY", "PH", "CN"]
    data = {
        "format": "ict-maturity-exchange",
        "version": 1,
        "cycle": {"year": 2023, "framework": "2024"},
        "offices": [],
        "assessments": [
            {"office": code, "answers": [{"recommendation": 1, "status": "implemented"}]}
            for code in codes
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        survey_import(data=data)
    with django_capture_on_commit_callbacks(execute=True):
        survey_import(data=data)  # the same file again: nothing changes

    publication = OfficeFigures.objects.get(cycle__year=2023)
    assert publication.respondents == len(codes)
    view = selectors.office_view(publication.cycle, office)
    assert view.group(ALL).figures["recommendations"][0]["adoption"]["count"] == len(codes)


# Target attainment (rule 5): its own set of offices per recommendation, the same rules.

ATTAINED = privacy.attainment_key(1)


def test_attainment_over_four_measured_offices_is_withheld_and_over_five_shown():
    four, five = members(*range(1, 5)), members(*range(1, 6))
    assert reasons([{ATTAINED: four}], viewer=99, keys=[ATTAINED]) == [[SMALL]]
    assert reasons([{ATTAINED: five}], viewer=99, keys=[ATTAINED]) == [[SHOWN]]
    # A measured office knows whether it reached its own target: four others are too few.
    assert reasons([{ATTAINED: five}], viewer=1, keys=[ATTAINED]) == [[SMALL]]


def test_a_sixth_measured_office_is_not_isolated_between_two_readings():
    five, six = members(*range(1, 6)), members(*range(1, 7))
    # Published as measured, it would be hidden as any group is ...
    assert reasons([{ATTAINED: five}, {ATTAINED: six}], viewer=99, keys=[ATTAINED]) == [
        [SHOWN],
        [CHANGE],
    ]
    # ... and is not published so: the five offices' figure is carried forward.
    assert privacy.carry_forward({ATTAINED: six}, [{ATTAINED: five}]) == {ATTAINED: False}
    ten = members(*range(1, 11))
    assert privacy.carry_forward({ATTAINED: ten}, [{ATTAINED: five}]) == {ATTAINED: True}


class Publication:
    def __init__(self, members, figures):
        self.members, self.figures = members, figures


def test_attainment_sets_are_compared_only_with_the_same_recommendations(office):
    # All 7 respondents and 6 of them measured on R1: adoption minus attainment means nothing.
    respondents, measured = members(*range(1, 8)), members(*range(1, 7))
    publication = Publication(
        {ALL: respondents, ATTAINED: measured},
        {ATTAINED: {"number": 1, "count": 3, "of": 6, "percent": 50}},
    )
    seen = privacy.attainment_view([publication], office, [1, 2])
    assert seen[1].figures["of"] == 6 and seen[1].reason == SHOWN
    assert seen[2].figures is None and seen[2].reason == SMALL
    assert privacy.attainment_view([], office, [1])[1].reason == privacy.UNPUBLISHED


def set_targets(cycle, offices, *, level=2, target=3):
    for each in offices:
        make_assessment(
            cycle, each, submitted=True, r1={"maturity_current": level, "maturity_target": target}
        )


def measure(cycle, offices, *, level):
    for each in offices:
        make_assessment(cycle, each, submitted=True, r1={"maturity_current": level})


def benchmark(client_of, person, year=2026):
    from django.urls import reverse

    page = client_of(person).get(reverse("office_benchmark", kwargs={"code": "AU", "year": year}))
    return page.content.decode().split('id="targets"')[1]


@pytest.mark.django_db
def test_four_measured_offices_are_withheld_from_the_benchmark(office, respondent, client_of):
    measured = [make_office(code) for code in CODES_NATIONAL[1:5]]
    last_year = make_cycle(2025, offices=[office, *measured])
    set_targets(last_year, [office], target=2)
    set_targets(last_year, measured)
    cycle = open_cycle([office, *measured])
    measure(cycle, [office, *measured], level=3)
    snapshot_refresh(cycle=cycle)

    assert len(OfficeFigures.objects.get(cycle=cycle).members[ATTAINED]) == 4

    assert (
        privacy.attainment_view(list(OfficeFigures.objects.filter(cycle=cycle)), office, [1])[
            1
        ].reason
        == SMALL
    )
    targets = benchmark(client_of, respondent)
    assert "not shown" in targets and "Fewer than 5 offices besides yours" in targets
    assert "No target" in targets  # AU's own: target 2 at level 2 is no target to reach


@pytest.mark.django_db
def test_five_measured_offices_are_shown_with_the_offices_own_outcome(
    office, respondent, client_of
):
    measured = [make_office(code) for code in CODES_NATIONAL[1:6]]
    set_targets(make_cycle(2025, offices=[office, *measured]), [office, *measured])
    cycle = open_cycle([office, *measured])
    measure(cycle, [office], level=2)  # AU did not reach its target 3
    measure(cycle, measured[:3], level=3)
    measure(cycle, measured[3:], level=2)
    snapshot_refresh(cycle=cycle)

    targets = benchmark(client_of, respondent)
    # Six offices measured, AU one of them: five others, 3 of them reached it, and AU.
    assert "3 of 6 offices" in targets and "50 %" in targets
    row = targets.split("<tr>")[2]
    assert "Not reached" in row and "not shown" not in row


@pytest.mark.django_db
def test_a_sixth_measured_office_joining_later_does_not_change_what_offices_read(office):
    measured = [make_office(code) for code in CODES_NATIONAL[1:7]]
    unmeasured = [make_office(code) for code in CODES_NATIONAL[7:11]]
    everyone = [office, *measured, *unmeasured]
    set_targets(make_cycle(2025, offices=everyone), measured)
    cycle = open_cycle(everyone)
    measure(cycle, [office], level=1)
    measure(cycle, measured[:3], level=3)
    measure(cycle, measured[3:5], level=2)
    snapshot_refresh(cycle=cycle)
    before = privacy.attainment_view(list(OfficeFigures.objects.filter(cycle=cycle)), office, [1])
    assert before[1].figures | {"previous_year": 0} == {
        "number": 1,
        "previous_year": 0,
        "count": 3,
        "of": 5,
        "percent": 60,
    }

    # The sixth, with four offices without a target: five new respondents, one measured.
    measure(cycle, [measured[5]], level=3)
    measure(cycle, unmeasured, level=3)
    snapshot_refresh(cycle=cycle)

    first, second = OfficeFigures.objects.filter(cycle=cycle).order_by("pk")
    assert (first.respondents, second.respondents) == (6, 11)
    assert second.members[ATTAINED] == first.members[ATTAINED]
    assert second.figures[ATTAINED] == first.figures[ATTAINED]
    after = privacy.attainment_view([first, second], office, [1])
    assert after == before
    # The co-leads' live figure counts the sixth at once.
    document = KpiSnapshot.objects.get(cycle=cycle).document
    assert document["recommendations"][0]["target_attainment"]["of"] == 6


# Rule 5 when last cycle's submissions change: the sets rest on them too.


@pytest.fixture
def measured_six(office):
    """2025: six offices set R1 at level 2 aiming at 3, AU at 2 aiming at 2 (no target);
    2026: all seven at level 3, so the six reached theirs. Published: AU reads 6 of 6."""
    others = [make_office(code) for code in CODES_NATIONAL[1:7]]
    last_year = make_cycle(2025, offices=[office, *others])
    set_targets(last_year, [office], target=2)
    set_targets(last_year, others)
    cycle = open_cycle([office, *others])
    measure(cycle, [office, *others], level=3)
    snapshot_refresh(cycle=last_year)
    snapshot_refresh(cycle=cycle)
    return last_year, cycle, others


def resubmit(cycle, office, **r1):
    """``office`` submits its ``cycle`` answers again, R1 changed by ``r1``: a new version."""
    from django.db.models import F

    assessment = Assessment.objects.get(cycle=cycle, office=office)
    Answer.objects.filter(assessment=assessment, recommendation__number=1).update(**r1)
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SUBMITTED, version=F("version") + 1
    )


def live_attainment(cycle) -> dict:
    return KpiSnapshot.objects.get(cycle=cycle).document["recommendations"][0]["target_attainment"]


@pytest.mark.django_db
def test_a_target_changed_last_cycle_reaches_offices_only_in_a_step_of_five(
    office, respondent, client_of, measured_six
):
    last_year, cycle, others = measured_six
    assert "6 of 6 offices" in benchmark(client_of, respondent)

    # One office raises its 2025 target to 4, which its 2026 level 3 misses.
    resubmit(last_year, others[0], maturity_target=4)
    snapshot_refresh(cycle=last_year)
    assert live_attainment(cycle) == {"count": 5, "of": 6, "percent": 83}  # co-leads: at once
    assert OfficeFigures.objects.filter(cycle=cycle).count() == 1
    assert "6 of 6 offices" in benchmark(client_of, respondent)  # offices: as published

    # Four more: five offices changed since the publication, none in this cycle.
    for each in others[1:5]:
        resubmit(last_year, each, maturity_target=4)
    snapshot_refresh(cycle=last_year)
    first, second = OfficeFigures.objects.filter(cycle=cycle).order_by("pk")
    assert len(privacy.differing(first.members[ATTAINED], second.members[ATTAINED])) == 5
    assert second.members[ALL] == first.members[ALL]
    targets = benchmark(client_of, respondent)
    assert "1 of 6 offices" in targets and "17 %" in targets


@pytest.mark.django_db
def test_a_measured_set_that_drops_to_none_reveals_nothing_and_says_so(
    office, respondent, client_of, measured_six
):
    last_year, cycle, others = measured_six
    for each in others:  # every target withdrawn: set at the level itself
        resubmit(last_year, each, maturity_target=2)
    snapshot_refresh(cycle=last_year)

    assert live_attainment(cycle) == {"count": 0, "of": 0, "percent": None}
    latest = OfficeFigures.objects.filter(cycle=cycle).order_by("pk").last()
    assert ATTAINED not in latest.members and ATTAINED not in latest.figures
    targets = benchmark(client_of, respondent)
    assert "of 6 offices" not in targets and "100 %" not in targets
    assert "not shown" in targets and "Fewer than 5 offices besides yours" in targets


@pytest.mark.django_db
def test_a_reopened_submission_of_last_cycle_counts_as_submitted_until_it_is_again(
    office, respondent, secretariat, client_of, measured_six
):
    from tests.factories import make_person, reopen_with_draft_edits

    last_year, cycle, others = measured_six
    their_respondent = make_person("ana@oepm.test", office=others[0])
    reopen_with_draft_edits(
        Assessment.objects.get(cycle=last_year, office=others[0]),
        secretariat=secretariat,
        respondent=their_respondent,
        **{"r1-maturity_target": 4},
    )
    snapshot_refresh(cycle=last_year)
    assert live_attainment(cycle) == {"count": 6, "of": 6, "percent": 100}
    assert "6 of 6 offices" in benchmark(client_of, respondent)

    resubmit(last_year, others[0])  # the draft, submitted: target 4, missed
    snapshot_refresh(cycle=last_year)
    assert live_attainment(cycle) == {"count": 5, "of": 6, "percent": 83}
    assert OfficeFigures.objects.filter(cycle=cycle).count() == 1
    assert "6 of 6 offices" in benchmark(client_of, respondent)  # one office: held back


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_two_readings_of_a_measured_set_reveal_fewer_than_five_offices(seed):
    """The attacker of rule 5: offices change last cycle's targets and this cycle's levels at
    random, each change recomputed as the portal does; every reading of R1's targets reached
    that an office could take, compared with every other of its own."""
    rng = random.Random(seed)
    offices = [make_office(code) for code in rng.sample(CODES_NATIONAL, rng.randint(10, 14))]
    last_year = make_cycle(2025, offices=offices)
    cycle = open_cycle(offices)
    for each in offices:
        level = rng.randint(1, 4)
        set_targets(last_year, [each], level=level, target=rng.choice([level, level + 1]))
        measure(cycle, [each], level=rng.randint(1, 5))
    snapshot_refresh(cycle=last_year)
    snapshot_refresh(cycle=cycle)
    seen: dict[int, list[dict]] = {office.pk: [] for office in offices}

    for _step in range(30):
        changed = rng.choice([last_year, cycle])
        if changed == last_year:
            level = rng.randint(1, 4)
            fields = {"maturity_current": level, "maturity_target": rng.choice([level, 5])}
        else:
            fields = {"maturity_current": rng.randint(1, 5)}
        resubmit(changed, rng.choice(offices), **fields)
        snapshot_refresh(cycle=changed)
        publications = list(OfficeFigures.objects.filter(cycle=cycle).order_by("pk"))
        for office in offices:
            if privacy.attainment_view(publications, office, [1])[1].figures is not None:
                members = publications[-1].members[ATTAINED]
                if members not in seen[office.pk]:
                    seen[office.pk].append(members)

    assert any(seen.values())  # the rules hide what they must, not everything
    for office in offices:
        viewer = str(office.pk)
        for reading in seen[office.pk]:
            assert len(set(reading) - {viewer}) >= privacy.MIN_GROUP
        for first, second in itertools.combinations(seen[office.pk], 2):
            apart = privacy.differing(first, second, viewer)
            assert len(apart) == 0 or len(apart) >= privacy.MIN_GROUP
