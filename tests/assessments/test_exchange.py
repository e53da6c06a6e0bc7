"""The secretariat imports past surveys from exchange files and exports cycles to them."""

import copy
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from assessments.exchange import (
    FileUnreadable,
    SurveyInvalid,
    survey_export,
    survey_import,
    survey_load,
    survey_parse,
)
from assessments.models import Answer, Assessment, AssessmentEvent, Cycle, Invitation
from kpi.models import KpiSnapshot
from portal.offices.models import Office
from tests.factories import make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db

# The 2025 survey as the task force ran it: IP Australia (already in the portal), the JPO
# (listed in the file) and the Korean office (only named by its ST.3 code).
SURVEY_2025 = {
    "format": "ict-maturity-exchange",
    "version": 1,
    "cycle": {"year": 2025, "framework": "2024"},
    "offices": [
        {"code": "AU", "name": "IP Australia"},
        {"code": "JP", "name": "Japan Patent Office"},
    ],
    "assessments": [
        {
            "office": "AU",
            "answers": [
                {
                    "recommendation": 1,
                    "status": "implemented",
                    "focus": True,
                    "low_priority": False,
                    "challenge": True,
                    "discuss": False,
                    "maturity": 3,
                    "target": 4,
                    "status_comment": "All planned actions are done.",
                    "focus_comment": "E-filing for designs.",
                    "low_priority_comment": "",
                    "challenge_comment": "Legacy systems.",
                },
                {"recommendation": 2, "status": "ongoing", "maturity": 2},
            ],
            "proposals": "Add measurable indicators.",
        },
        {"office": "JP", "answers": [{"recommendation": 10, "status": "considering"}]},
        {"office": "KR", "answers": [{"recommendation": 3, "status": "decided"}]},
    ],
}


def survey(**changes) -> dict:
    """The 2025 survey, with top-level fields replaced by ``changes``."""
    data = copy.deepcopy(SURVEY_2025)
    data.update(changes)
    return data


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Office, Cycle, Invitation, Assessment, Answer, AssessmentEvent)
    }


def problems_of(data) -> list[tuple[str, str]]:
    before = counts()
    with pytest.raises(SurveyInvalid) as raised:
        survey_import(data=data)
    assert counts() == before
    return [(problem.place, problem.message) for problem in raised.value.problems]


def places_of(data) -> list[str]:
    return [place for place, _message in problems_of(data)]


def answer_of(code: str, year: int, number: int) -> Answer:
    return Answer.objects.get(
        assessment__office__code=code,
        assessment__cycle__year=year,
        recommendation__number=number,
    )


@pytest.fixture
def australia(framework, office):
    """IP Australia is in the portal; the default framework is loaded."""
    return office


# --- Importing ------------------------------------------------------------------------------


def test_a_survey_is_imported_as_submitted_assessments_of_its_cycle(australia, secretariat):
    report = survey_import(data=survey(), user=secretariat, source="survey-2025.json")

    cycle = Cycle.objects.get(year=2025)
    assert cycle.framework.version == "2024"
    assert (cycle.opens_on, cycle.closes_on) == (
        datetime.date(2025, 9, 1),
        datetime.date(2025, 11, 30),
    )
    assert sorted(cycle.invited_offices.values_list("code", flat=True)) == ["AU", "JP", "KR"]
    assert Office.objects.get(code="JP").name == "Japan Patent Office"
    assert Office.objects.get(code="KR").name == "Republic of Korea"  # its ST.3 name
    assert Office.objects.get(code="KR").region == "asia_pacific"
    assert report.cycle_created and report.offices_created == ["JP", "KR"]
    assert report.imported == ["AU", "JP", "KR"] and report.unchanged == []

    imported = Assessment.objects.get(cycle=cycle, office=australia)
    assert imported.status == Assessment.Status.SUBMITTED
    assert imported.version == 2
    assert imported.submitted_at == datetime.datetime(2025, 11, 30, 12, tzinfo=datetime.UTC)
    assert imported.proposals == "Add measurable indicators."
    assert imported.answers.count() == 10
    first = answer_of("AU", 2025, 1)
    assert (first.status, first.maturity_current, first.maturity_target) == ("implemented", 3, 4)
    assert (first.focus, first.low_priority, first.challenge, first.discuss) == (
        True,
        False,
        True,
        False,
    )
    assert first.status_comment == "All planned actions are done."
    assert first.challenge_comment == "Legacy systems."
    events = list(imported.events.order_by("version"))
    assert [(e.kind, e.version, e.user) for e in events] == [
        ("create", 1, secretariat),
        ("submit", 2, secretariat),
    ]
    assert events[1].reason == "imported from survey-2025.json"
    assert {"field": "r1-maturity_current", "old": None, "new": 3} in events[0].changes


def test_a_legacy_file_with_absent_fields_and_null_statuses_imports_as_unanswered(australia):
    legacy = survey(
        offices=[],
        assessments=[
            {
                "office": "AU",
                "answers": [
                    {"recommendation": 1, "status": None},
                    {"recommendation": 2, "status": "ongoing", "focus": None},
                ],
            }
        ],
    )
    survey_import(data=legacy)

    unanswered, partly = answer_of("AU", 2025, 1), answer_of("AU", 2025, 2)
    assert unanswered.status == ""
    assert (unanswered.focus, unanswered.challenge, unanswered.maturity_current) == (
        None,
        None,
        None,
    )
    assert (partly.status, partly.focus, partly.discuss, partly.status_comment) == (
        "ongoing",
        None,
        None,
        "",
    )
    never_mentioned = answer_of("AU", 2025, 7)
    assert (never_mentioned.status, never_mentioned.low_priority) == ("", None)
    assert Assessment.objects.get(office=australia).answers.count() == 10


def test_submitted_at_and_the_cycle_dates_are_taken_from_the_file(australia):
    data = survey(
        cycle={
            "year": 2019,
            "framework": "2024",
            "opens_on": "2019-03-01",
            "closes_on": "2019-04-30",
        }
    )
    data["assessments"][0]["submitted_at"] = "2019-04-02T09:30:00+02:00"
    survey_import(data=data)

    cycle = Cycle.objects.get(year=2019)
    assert (cycle.opens_on, cycle.closes_on) == (
        datetime.date(2019, 3, 1),
        datetime.date(2019, 4, 30),
    )
    assert Assessment.objects.get(office__code="AU").submitted_at == datetime.datetime(
        2019, 4, 2, 7, 30, tzinfo=datetime.UTC
    )
    assert Assessment.objects.get(office__code="JP").submitted_at == datetime.datetime(
        2019, 4, 30, 12, tzinfo=datetime.UTC
    )


def test_private_marks_evidence_and_other_comments_are_stored(australia):
    data = survey()
    data["assessments"][0]["answers"][0].update(
        evidence="Annual report 2024.",
        evidence_url="https://www.ipaustralia.gov.au/report",
        private=["status_comment", "evidence"],
    )
    data["assessments"][0].update(other_comments="Thanks.", private=["proposals"])
    survey_import(data=data)

    first = answer_of("AU", 2025, 1)
    assert (first.evidence, first.evidence_url) == (
        "Annual report 2024.",
        "https://www.ipaustralia.gov.au/report",
    )
    assert (first.status_comment_private, first.evidence_private) == (True, True)
    assert (first.focus_comment_private, first.challenge_comment_private) == (False, False)
    assessment = Assessment.objects.get(office=australia)
    assert (assessment.other_comments, assessment.proposals_private) == ("Thanks.", True)
    assert assessment.other_comments_private is False


def test_an_import_recomputes_the_cycles_indicators_once_committed(
    australia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        survey_import(data=survey())
    assert KpiSnapshot.objects.filter(cycle__year=2025).exists()


def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(
    australia, django_capture_on_commit_callbacks
):
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks:
        report = survey_import(data=survey(), dry_run=True)

    assert counts() == before
    assert callbacks == []
    assert report.dry_run and report.cycle_created
    assert (report.offices_created, report.imported) == (["JP", "KR"], ["AU", "JP", "KR"])


# --- Importing again ------------------------------------------------------------------------


def stored_state() -> dict:
    return {
        **counts(),
        "versions": sorted(Assessment.objects.values_list("office__code", "version")),
        "updated": sorted(Assessment.objects.values_list("updated_at", flat=True)),
    }


def test_importing_the_same_file_twice_changes_nothing(australia):
    survey_import(data=survey())
    before = stored_state()

    report = survey_import(data=survey())

    assert stored_state() == before
    assert not report.cycle_created and report.offices_created == []
    assert report.offices_invited == [] and report.imported == []
    assert report.unchanged == ["AU", "JP", "KR"]
    assert not report.changes_anything


def test_a_file_with_different_answers_for_an_imported_office_is_refused(australia):
    survey_import(data=survey())
    before = stored_state()
    changed = survey()
    changed["assessments"][1]["answers"][0]["status"] = "implemented"  # JP

    assert problems_of(changed) == [
        (
            "assessments[1].office",
            "JP already has different answers for 2025; delete or reopen it first.",
        )
    ]
    assert stored_state() == before


def test_a_later_file_adds_new_offices_and_leaves_the_imported_ones_alone(australia):
    survey_import(data=survey(assessments=SURVEY_2025["assessments"][:1]))
    first = Assessment.objects.get(office=australia)

    report = survey_import(data=survey())

    assert report.unchanged == ["AU"] and report.imported == ["JP", "KR"]
    assert Assessment.objects.get(office=australia).updated_at == first.updated_at
    assert AssessmentEvent.objects.filter(assessment=first).count() == 2


def test_an_office_drafting_in_that_cycle_is_a_problem(australia):
    cycle = make_cycle(2025, offices=[australia])
    make_assessment(cycle, australia, r1={"status": "ongoing"})

    places = places_of(survey())
    assert places == ["assessments[0].office"]


def test_an_existing_cycle_with_another_framework_or_other_dates_is_a_problem(australia):
    make_cycle(2025, opens_on=datetime.date(2025, 8, 1))
    data = survey(cycle={"year": 2025, "framework": "2024", "opens_on": "2025-09-01"})
    assert places_of(data) == ["cycle.opens_on"]


# --- Bad files ------------------------------------------------------------------------------


def with_answer(**fields) -> dict:
    """The survey with AU's first answer changed."""
    data = survey()
    data["assessments"][0]["answers"][0].update(fields)
    return data


def with_assessment(**fields) -> dict:
    data = survey()
    data["assessments"][0].update(fields)
    return data


def with_cycle(**fields) -> dict:
    data = survey()
    data["cycle"].update(fields)
    return data


def with_office(**fields) -> dict:
    data = survey()
    data["offices"][1].update(fields)
    return data


BAD_FILES = {
    "unknown ST.3 code listed": (
        with_office(code="QQ"),
        "offices[1].code",
        "“QQ” is not a WIPO ST.3 code. Did you mean QA (Qatar)",
    ),
    "unknown ST.3 code of an assessment": (
        with_assessment(office="AV"),
        "assessments[0].office",
        "“AV” is not a WIPO ST.3 code. Did you mean VA (Holy See)",
    ),
    "code in small letters": (
        with_assessment(office="au"),
        "assessments[0].office",
        "ST.3 codes are written in capitals: AU.",
    ),
    "unknown recommendation": (
        with_answer(recommendation=11),
        "assessments[0].answers[0].recommendation",
        "Framework 2024 has no recommendation 11.",
    ),
    "recommendation not a number": (
        with_answer(recommendation="1"),
        "assessments[0].answers[0].recommendation",
        "Must be a recommendation number",
    ),
    "bad status": (
        with_answer(status="done"),
        "assessments[0].answers[0].status",
        "“done” is not a status; use one of implemented, ongoing, decided, considering, "
        "not_planned, or null.",
    ),
    "level out of range": (
        with_answer(maturity=6),
        "assessments[0].answers[0].maturity",
        "Must be a level from 1 to 5, or null.",
    ),
    "level as text": (
        with_answer(target="4"),
        "assessments[0].answers[0].target",
        "Must be a level from 1 to 5, or null.",
    ),
    "flag not a boolean": (
        with_answer(focus="yes"),
        "assessments[0].answers[0].focus",
        "Must be true, false or null.",
    ),
    "flag as a number": (
        with_answer(discuss=1),
        "assessments[0].answers[0].discuss",
        "Must be true, false or null.",
    ),
    "comment too long": (
        with_answer(challenge_comment="x" * 3001),
        "assessments[0].answers[0].challenge_comment",
        "Too long: 3001 characters, at most 3000.",
    ),
    "comment not a text": (
        with_answer(status_comment=["a"]),
        "assessments[0].answers[0].status_comment",
        "Must be a text",
    ),
    "proposals too long": (
        with_assessment(proposals="x" * 10001),
        "assessments[0].proposals",
        "Too long: 10001 characters, at most 10000.",
    ),
    "evidence link not a URL": (
        with_answer(evidence_url="our intranet"),
        "assessments[0].answers[0].evidence_url",
        "“our intranet” is not a web address.",
    ),
    "typo in an answer field": (
        with_answer(focs=True),
        "assessments[0].answers[0].focs",
        "Unknown field “focs”. Did you mean “focus”?",
    ),
    "unknown top-level field": (
        survey(comment="from the 2019 spreadsheet"),
        "comment",
        "Unknown field “comment”",
    ),
    "unknown private mark": (
        with_answer(private=["status"]),
        "assessments[0].answers[0].private[0]",
        "“status” cannot be marked not for publication",
    ),
    "private mark of the assessment": (
        with_assessment(private=["answers"]),
        "assessments[0].private[0]",
        "“answers” cannot be marked not for publication",
    ),
    "bad submission time": (
        with_assessment(submitted_at="last autumn"),
        "assessments[0].submitted_at",
        "Must be a date and time",
    ),
    "wrong format": (survey(format="csv"), "format", "Must be “ict-maturity-exchange”."),
    "unsupported version": (
        survey(version=2),
        "version",
        "Version 2 is not supported; this portal reads version 1.",
    ),
    "year out of range": (
        with_cycle(year=1890),
        "cycle.year",
        "Must be a whole number of a year from 1990 to 2100.",
    ),
    "year as text": (with_cycle(year="2025"), "cycle.year", "Must be a whole number"),
    "unknown framework": (
        with_cycle(framework="2019"),
        "cycle.framework",
        "There is no framework version “2019” (known: 2024).",
    ),
    "bad date": (with_cycle(opens_on="1 Sept 2025"), "cycle.opens_on", "is not a date"),
    "closes before it opens": (
        with_cycle(opens_on="2025-09-01", closes_on="2025-08-01"),
        "cycle.closes_on",
        "A cycle cannot close before it opens.",
    ),
    "no cycle": (
        {k: v for k, v in SURVEY_2025.items() if k != "cycle"},
        "cycle",
        "This field is required.",
    ),
    "assessments not a list": (survey(assessments={}), "assessments", "Must be a list"),
    "office listed twice": (
        survey(offices=[{"code": "JP"}, {"code": "JP", "name": "JPO"}]),
        "offices[1].code",
        "Office JP is listed twice (also at offices[0].code).",
    ),
}


@pytest.mark.parametrize(("data", "place", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_the_problem_and_its_place(australia, data, place, message):
    problems = problems_of(data)
    assert [p for p, m in problems if p == place and message in m] == [place], problems


def test_an_office_with_two_assessments_is_refused(australia):
    data = survey()
    data["assessments"].append({"office": "JP", "answers": []})
    assert problems_of(data) == [
        ("assessments[3].office", "Office JP has two assessments (also at assessments[1].office).")
    ]


def test_a_recommendation_answered_twice_is_refused(australia):
    data = survey()
    data["assessments"][2]["answers"].append({"recommendation": 3, "status": "ongoing"})
    assert problems_of(data) == [
        (
            "assessments[2].answers[1].recommendation",
            "Recommendation 3 is answered twice (also at "
            "assessments[2].answers[0].recommendation).",
        )
    ]


def test_every_problem_of_a_file_is_reported_not_only_the_first(australia):
    data = survey()
    data["offices"][1]["code"] = "jp"
    data["assessments"][0]["answers"][0].update(status="done", maturity=0)
    data["assessments"][0]["answers"][1]["recommendation"] = 12
    data["assessments"][2]["office"] = "XX"
    data["assessments"].append({"office": "AU"})

    assert places_of(data) == [
        "offices[1].code",
        "assessments[0].answers[0].status",
        "assessments[0].answers[0].maturity",
        "assessments[0].answers[1].recommendation",
        "assessments[2].office",
        "assessments[3].office",
    ]


def test_a_file_that_is_not_an_object_is_refused(framework):
    assert problems_of([1, 2]) == [
        (
            "file",
            "The file must hold one JSON object ({…}) with format, version, cycle and assessments.",
        )
    ]


def test_parsing_reports_problems_without_raising(australia):
    parsed = survey_parse(with_answer(status="done"))
    assert [str(problem) for problem in parsed.problems] == [
        "assessments[0].answers[0].status: “done” is not a status; use one of implemented, "
        "ongoing, decided, considering, not_planned, or null."
    ]


# --- Exporting ------------------------------------------------------------------------------


@pytest.fixture
def past_cycle(framework):
    """The 2023 cycle: AU and EP submitted, NZ drafted, OA was invited and did not answer."""
    offices = {code: make_office(code) for code in ("AU", "EP", "NZ", "OA")}
    cycle = make_cycle(2023, offices=offices.values(), closes_on=datetime.date(2023, 12, 15))
    australia = make_assessment(
        cycle,
        offices["AU"],
        submitted=True,
        r1={
            "status": "implemented",
            "status_comment": "Done.",
            "status_comment_private": True,
            "focus": True,
            "focus_comment": "Projects «α»",
            "low_priority": False,
            "challenge": None,
            "discuss": True,
            "maturity_current": 4,
            "maturity_target": 5,
            "evidence": "Report",
            "evidence_private": True,
            "evidence_url": "https://example.org/r",
        },
        r2={"status": "not_planned", "low_priority": True, "low_priority_comment": "Later."},
    )
    australia.proposals, australia.proposals_private = "Fewer questions.", True
    australia.other_comments = "None."
    australia.save()
    make_assessment(cycle, offices["EP"], submitted=True, r5={"status": "decided"})
    make_assessment(cycle, offices["NZ"], r1={"status": "ongoing"})
    return cycle


def empty_the_database() -> None:
    AssessmentEvent.objects.all().delete()
    Assessment.objects.all().delete()
    Cycle.objects.all().delete()
    Office.objects.all().delete()


def test_export_then_import_into_an_empty_database_reproduces_the_cycle(past_cycle):
    exported = survey_export(cycle=past_cycle)
    empty_the_database()

    survey_import(data=json.loads(json.dumps(exported)))

    assert survey_export(cycle=Cycle.objects.get(year=2023)) == exported
    assert answer_of("AU", 2023, 1).challenge is None
    assert answer_of("AU", 2023, 1).evidence_private is True


def test_the_export_holds_the_submissions_and_every_invited_office(past_cycle):
    exported = survey_export(cycle=past_cycle)

    assert exported["cycle"] == {
        "year": 2023,
        "framework": "2024",
        "opens_on": "2023-09-01",
        "closes_on": "2023-12-15",
    }
    assert [office["code"] for office in exported["offices"]] == ["AU", "EP", "NZ", "OA"]
    assert [entry["office"] for entry in exported["assessments"]] == ["AU", "EP"]
    australia = exported["assessments"][0]
    assert australia["private"] == ["proposals"]
    assert australia["submitted_at"] == "2023-10-01T00:00:00+00:00"
    first, second = australia["answers"][:2]
    assert first["private"] == ["status_comment", "evidence"]
    assert (first["maturity"], first["target"], first["challenge"]) == (4, 5, None)
    assert (second["status"], second["low_priority_comment"]) == ("not_planned", "Later.")
    assert australia["answers"][2]["status"] is None
    assert len(australia["answers"]) == 10


def test_exporting_and_importing_on_the_same_database_changes_nothing(past_cycle):
    before = stored_state()
    report = survey_import(data=survey_export(cycle=past_cycle))
    assert stored_state() == before
    assert report.unchanged == ["AU", "EP"]


# --- The commands ---------------------------------------------------------------------------


def write(tmp_path, data, name="survey-2025.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_import_command_imports_a_file_and_names_it_in_the_history(australia, tmp_path):
    out = io.StringIO()
    call_command("import_survey", str(write(tmp_path, survey())), stdout=out)

    assert "assessments imported: 3 (AU, JP, KR)" in out.getvalue()
    submit = AssessmentEvent.objects.get(assessment__office=australia, kind="submit")
    assert submit.reason == "imported from survey-2025.json"


def test_the_import_commands_dry_run_writes_nothing(australia, tmp_path):
    before = counts()
    out = io.StringIO()
    call_command("import_survey", str(write(tmp_path, survey())), "--dry-run", stdout=out)

    assert counts() == before
    assert out.getvalue().startswith("Dry run, nothing written.")
    assert "offices created: 2 (JP, KR)" in out.getvalue()


def test_the_import_command_lists_every_problem_and_fails(australia, tmp_path):
    data = with_answer(status="done", maturity=9)
    before, err = counts(), io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_survey", str(write(tmp_path, data)), stderr=err)

    assert counts() == before
    assert err.getvalue().splitlines() == [
        "assessments[0].answers[0].status: “done” is not a status; use one of implemented, "
        "ongoing, decided, considering, not_planned, or null.",
        "assessments[0].answers[0].maturity: Must be a level from 1 to 5, or null.",
    ]


def test_the_import_command_says_where_a_file_is_not_json(framework, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "ict-maturity-exchange",\n "version": 1,,\n}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON: .* at line 2, column 15"):
        call_command("import_survey", str(path))


def test_the_export_command_prints_or_writes_the_cycle(past_cycle, tmp_path):
    out = io.StringIO()
    call_command("export_survey", "--year", "2023", stdout=out)
    assert json.loads(out.getvalue()) == survey_export(cycle=past_cycle)
    assert "Projects «α»" in out.getvalue()  # UTF-8, not \\u escapes

    target = tmp_path / "2023.json"
    call_command("export_survey", "--year", "2023", "--out", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == survey_export(cycle=past_cycle)


def test_the_export_command_refuses_an_unknown_year(framework):
    with pytest.raises(CommandError, match=r"There is no 1999 cycle \(cycles: none yet\)\."):
        call_command("export_survey", "--year", "1999")


def test_checking_a_re_import_takes_a_fixed_number_of_queries(
    framework, django_assert_max_num_queries
):
    codes = ["AU", "NZ", "JP", "DE", "FR", "ES", "IT", "PT", "BR", "MX", "US", "CA"]
    offices = [make_office(code) for code in codes]
    few, many = make_cycle(2023, offices=offices[:3]), make_cycle(2024, offices=offices)
    for cycle, invited in ((few, offices[:3]), (many, offices)):
        for office in invited:
            make_assessment(cycle, office, submitted=True, r1={"status": "ongoing"})
    small, large = survey_export(cycle=few), survey_export(cycle=many)
    with django_assert_max_num_queries(12) as counted:
        assert not survey_parse(small).problems
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert not survey_parse(large).problems


def test_an_imported_assessments_history_replays_every_version(australia, secretariat):
    """A save merged after a reopening needs the answers of the version it started from."""
    from assessments.selectors import with_answers
    from assessments.services import assessment_values, base_values

    survey_import(data=survey(), user=secretariat)
    imported = Assessment.objects.get(cycle__year=2025, office=australia)
    stored = assessment_values(with_answers(imported))
    assert base_values(imported, 2, stored) == stored
    assert base_values(imported, 1, stored) == stored  # the submission changed no answer
    before = base_values(imported, 0, stored)
    assert before["r1-status"] == "" and before["r1-focus"] is None
    assert before["proposals"] == ""


NUL = "\x00"


UNSTORABLE = {
    "NUL in an office code": (with_assessment(office="A" + NUL), "assessments[0].office"),
    "NUL in a listed office code": (
        survey(offices=[{"code": "J" + NUL}]),
        "offices[0].code",
    ),
    "NUL in the framework": (with_cycle(framework="2024" + NUL), "cycle.framework"),
    "NUL in a new office's name": (with_office(name="Japan" + NUL), "offices[1].name"),
    "escape in a new office's region": (with_office(region="\x1bASIA"), "offices[1].region"),
    "NUL in a comment": (
        with_answer(status_comment="Done." + NUL),
        "assessments[0].answers[0].status_comment",
    ),
    "NUL in the proposals": (with_assessment(proposals=NUL), "assessments[0].proposals"),
    "NUL in an evidence link": (
        with_answer(evidence_url="https://ip.example/" + NUL),
        "assessments[0].answers[0].evidence_url",
    ),
    "NUL after a timestamp": (
        with_assessment(submitted_at="2025-10-01T12:00:00+00:00" + NUL),
        "assessments[0].submitted_at",
    ),
    "NUL in a date": (with_cycle(opens_on="2025-09-01" + NUL), "cycle.opens_on"),
    "an offset of almost a day": (
        with_assessment(submitted_at="2025-10-01T12:00:00-23:59"),
        "assessments[0].submitted_at",
    ),
    "a timestamp of year 1": (
        with_assessment(submitted_at="0001-01-01T00:00:00+14:00"),
        "assessments[0].submitted_at",
    ),
    "a timestamp in the future": (
        with_assessment(submitted_at="2099-10-01T12:00:00+00:00"),
        "assessments[0].submitted_at",
    ),
    "a 2017 survey open for ever": (
        with_cycle(year=2017, opens_on="0001-01-01", closes_on="9999-12-31"),
        "cycle.opens_on",
    ),
    "a survey not over yet": (with_cycle(year=2099), "cycle.closes_on"),
}


MESSAGES = {
    "a timestamp of year 1": "A submission of the 2025 survey is dated from 2024-01-01 to",
    "a timestamp in the future": "A submission of the 2025 survey is dated from 2024-01-01 to",
    "an offset of almost a day": "The offset from UTC must be between -14:00 and +14:00.",
    "a 2017 survey open for ever": "must lie between 2016-01-01 and 2018-12-31",
    "a survey not over yet": "An imported survey is over",
}


@pytest.mark.parametrize(("data", "place"), UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_what_the_database_cannot_hold_is_refused_by_the_dry_run_and_the_import_alike(
    australia, request, data, place
):
    before = counts()
    with pytest.raises(SurveyInvalid) as dry:
        survey_import(data=data, dry_run=True)
    problems = problems_of(data)  # the real import: the same problems, nothing stored
    assert [(p.place, p.message) for p in dry.value.problems] == problems
    assert counts() == before
    expected = MESSAGES.get(request.node.callspec.id, "Contains a control character (U+00")
    assert [p for p, m in problems if p == place and expected in m] == [place], problems


def test_a_2017_survey_open_for_ever_is_refused_at_both_dates(australia):
    data = with_cycle(year=2017, opens_on="0001-01-01", closes_on="9999-12-31")
    assert places_of(data)[:2] == ["cycle.opens_on", "cycle.closes_on"]


def test_tabs_and_line_breaks_in_free_text_are_kept(australia):
    survey_import(data=with_answer(status_comment="Line one\n\tLine two\r\n"))
    assert answer_of("AU", 2025, 1).status_comment == "Line one\n\tLine two\r\n"


def test_the_place_of_a_control_character_is_told(australia):
    ((place, message),) = problems_of(with_answer(focus_comment="ab\x07c"))
    assert place == "assessments[0].answers[0].focus_comment"
    assert message == "Contains a control character (U+0007) at character 3; remove it."


def test_a_file_nested_fifty_thousand_deep_is_a_clear_refusal(australia, tmp_path):
    deep = "[" * 50000 + "]" * 50000
    with pytest.raises(FileUnreadable, match="more than 32 levels deep"):
        survey_load(deep)
    path = tmp_path / "deep.json"
    path.write_text(deep)
    with pytest.raises(CommandError, match="more than 32 levels deep"):
        call_command("import_survey", str(path), "--dry-run")


def test_a_timestamp_is_checked_even_when_the_cycle_dates_are_refused(australia):
    data = with_cycle(year=2017, opens_on="0001-01-01", closes_on="9999-12-31")
    data["assessments"][0]["submitted_at"] = "0001-01-01T00:00:00+14:00"
    assert "assessments[0].submitted_at" in places_of(data)
