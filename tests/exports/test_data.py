import csv
import io
import json

import openpyxl
import pytest

from assessments.exchange import survey_export
from exports.data import build_csv, build_json, build_xlsx
from exports.output import submitted_versions
from kpi.services import snapshot_refresh
from tests.factories import make_assessment, make_cycle, make_office, reopen_with_draft_edits

pytestmark = pytest.mark.django_db

ANSWERS_HEADER = [
    "Year",
    "Office code",
    "Office name",
    "Region",
    "Office type",
    "Recommendation",
    "Short title",
    "Status",
    "Focus",
    "Low priority",
    "Challenge",
    "Discuss",
    "Current maturity",
    "Target maturity",
    "Evidence link",
    "Submitted at",
]


@pytest.fixture
def survey(office, framework):
    """2025: AU and EP submitted, DE only saved a draft."""
    ep, de = make_office("EP", "European Patent Office"), make_office("DE")
    cycle = make_cycle(2025, offices=[office, ep, de])
    au = make_assessment(
        cycle,
        office,
        submitted=True,
        r1={
            "status": "implemented",
            "focus": True,
            "low_priority": False,
            "challenge": False,
            "discuss": True,
            "maturity_current": 3,
            "maturity_target": 4,
            "evidence_url": "https://ipaustralia.test/strategy",
            "status_comment": "Rolled out in 2024.",
            "status_comment_private": True,
            "focus_comment": "Online filing for all rights.",
        },
        r2={"status": "considering", "challenge": True, "challenge_comment": "Budget."},
    )
    au.proposals = "Merge R8 and R9."
    au.other_comments = "Thanks."
    au.other_comments_private = True
    au.save()
    make_assessment(
        cycle, ep, submitted=True, r1={"status": "ongoing", "evidence": "Annual report."}
    )
    make_assessment(
        cycle, de, submitted=False, r1={"status": "not_planned", "status_comment": "Draft text."}
    )
    return cycle


def sheets(output) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(output.content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def csv_rows(output) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output.content.decode("utf-8-sig"))))


def test_the_workbook_is_named_after_the_year_and_has_three_sheets(survey):
    output = build_xlsx(cycle=survey)
    assert output.filename == "ict-maturity-2025.xlsx"
    assert output.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert list(sheets(output)) == ["Answers", "Comments", "Indicators"]


def test_the_answers_sheet_has_a_row_per_submitted_office_and_recommendation(survey):
    rows = sheets(build_xlsx(cycle=survey))["Answers"]
    assert list(rows[0]) == ANSWERS_HEADER
    assert len(rows) == 1 + 2 * 10
    assert [(row[1], row[5]) for row in rows[1:4]] == [("AU", 1), ("AU", 2), ("AU", 3)]
    assert rows[1] == (
        2025,
        "AU",
        "IP Australia",
        "Asia and the Pacific",
        "National office",
        1,
        rows[1][6],
        "implemented",
        True,
        False,
        False,
        True,
        3,
        4,
        "https://ipaustralia.test/strategy",
        "2025-10-01T00:00:00+00:00",
    )
    assert rows[1][6]  # the recommendation's short title
    ep_first = rows[11]
    assert ep_first[1:5] == (
        "EP",
        "European Patent Office",
        "Regional IP organizations",
        "Regional office",
    )
    assert ep_first[7] == "ongoing"


def test_an_unanswered_status_and_a_question_not_asked_are_blank(survey):
    rows = sheets(build_xlsx(cycle=survey))["Answers"]
    au_r3 = rows[3]
    assert au_r3[5] == 3
    assert au_r3[7:14] == (None, None, None, None, None, None, None)


def test_drafts_are_not_exported(survey):
    output = build_xlsx(cycle=survey)
    workbook = sheets(output)
    assert {row[1] for row in workbook["Answers"][1:]} == {"AU", "EP"}
    assert {row[0] for row in workbook["Comments"][1:]} == {"AU", "EP"}
    assert "Draft text." not in [row[3] for row in workbook["Comments"]]
    assert output.answers == {"AU": 1, "EP": 1}


def test_the_comments_sheet_holds_every_text_and_marks_the_private_ones(survey):
    rows = sheets(build_xlsx(cycle=survey))["Comments"]
    assert list(rows[0]) == [
        "Office code",
        "Recommendation",
        "Question",
        "Text",
        "Not for publication",
    ]
    assert rows[1:] == [
        ("AU", 1, "Q3 status comment", "Rolled out in 2024.", True),
        ("AU", 1, "Q4 related projects", "Online filing for all rights.", False),
        ("AU", 2, "Q6 why a challenge", "Budget.", False),
        ("AU", None, "Q7 proposals", "Merge R8 and R9.", False),
        ("AU", None, "Other comments", "Thanks.", True),
        ("EP", 1, "Maturity evidence", "Annual report.", False),
    ]


def test_the_kpi_sheet_counts_the_answers_of_the_answers_sheet(survey, office):
    rows = sheets(build_xlsx(cycle=survey))["Indicators"]
    header = list(rows[0])
    assert header[:5] == [
        "Recommendation",
        "Short title",
        "Respondents",
        "implemented count",
        "implemented %",
    ]
    assert header[-4:] == ["Maturity mean", "Maturity median", "Target gap mean", "Priority signal"]
    assert len(rows) == 1 + 10
    first = dict(zip(header, rows[1], strict=True))
    assert first["Recommendation"] == 1
    assert first["Respondents"] == 2
    assert (first["implemented count"], first["implemented %"]) == (1, 50)
    assert (first["ongoing count"], first["ongoing %"]) == (1, 50)
    assert (first["unanswered count"], first["unanswered %"]) == (0, 0)
    assert (first["adoption count"], first["adoption %"]) == (2, 100)
    assert (first["focus count"], first["discuss %"]) == (1, 50)
    assert (first["Maturity mean"], first["Target gap mean"]) == (3, 1)
    second = dict(zip(header, rows[2], strict=True))
    assert (second["considering count"], second["unanswered count"]) == (1, 1)


def test_the_kpi_sheet_does_not_lag_behind_a_stale_snapshot(survey):
    snapshot_refresh(cycle=survey)
    make_assessment(survey, make_office("JP"), submitted=True, r1={"status": "implemented"})
    rows = sheets(build_xlsx(cycle=survey))["Indicators"]
    header = list(rows[0])
    first = dict(zip(header, rows[1], strict=True))
    assert (first["Respondents"], first["implemented count"]) == (3, 2)


def test_every_sheet_has_a_bold_frozen_header_and_readable_widths(survey):
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(cycle=survey).content))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert not sheet["A2"].font.bold
        assert all(8 <= dimension.width <= 60 for dimension in sheet.column_dimensions.values())


def test_each_file_records_the_submissions_it_was_built_from(survey):
    versions, answers_hash = submitted_versions(survey)
    for build in (build_xlsx, build_csv, build_json):
        output = build(cycle=survey)
        assert (output.answers, output.answers_hash) == (versions, answers_hash)


def test_each_build_reports_its_progress_up_to_done(survey):
    for build in (build_xlsx, build_csv, build_json):
        steps = []
        build(cycle=survey, progress=lambda percent, step, steps=steps: steps.append(percent))
        assert steps == sorted(steps)
        assert steps[0] == 10 and steps[-1] == 100


def test_the_csv_holds_the_answers_rows_and_opens_in_excel_as_utf8(survey, office):
    office.name = "Office de la propriété intellectuelle"
    office.save()
    output = build_csv(cycle=survey)
    assert output.filename == "ict-maturity-2025-answers.csv"
    assert output.content_type == "text/csv; charset=utf-8"
    assert output.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(output)
    assert rows[0] == ANSWERS_HEADER
    assert len(rows) == 1 + 2 * 10
    assert rows[1][:6] == [
        "2025",
        "AU",
        "Office de la propriété intellectuelle",
        "Asia and the Pacific",
        "National office",
        "1",
    ]
    assert rows[1][7:] == [
        "implemented",
        "TRUE",
        "FALSE",
        "FALSE",
        "TRUE",
        "3",
        "4",
        "https://ipaustralia.test/strategy",
        "2025-10-01T00:00:00+00:00",
    ]
    assert rows[3][7:14] == ["", "", "", "", "", "", ""]
    assert {row[1] for row in rows[1:]} == {"AU", "EP"}


def test_the_json_is_the_exchange_format_document(survey):
    output = build_json(cycle=survey)
    assert output.filename == "ict-maturity-2025.json"
    assert output.content_type == "application/json"
    assert json.loads(output.content) == survey_export(cycle=survey)
    assert [a["office"] for a in json.loads(output.content)["assessments"]] == ["AU", "EP"]


FORMULAS = ['=HYPERLINK("https://evil.test","x")', "+1", "-2", "@SUM(1)", "\tx", "\rx"]


@pytest.fixture
def hostile(office, framework):
    """An office whose texts and evidence link each begin like a formula."""
    cycle = make_cycle(2025, offices=[office])
    answers = {
        f"r{number}": {"status_comment": text, "evidence": text, "evidence_url": text}
        for number, text in enumerate(FORMULAS, start=1)
    }
    assessment = make_assessment(cycle, office, submitted=True, **answers)
    assessment.proposals = "=1+1"
    assessment.save()
    return cycle


def test_no_text_of_the_workbook_can_run_as_a_formula(hostile):
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(cycle=hostile).content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # XML reads a stored carriage return back as a line feed.
    expected = ["'" + text.replace("\r", "\n") for text in FORMULAS]
    comments = [row[3] for row in workbook["Comments"].iter_rows(min_row=2, values_only=True)]
    assert set(comments) == {*expected, "'=1+1"}
    links = [row[14] for row in workbook["Answers"].iter_rows(min_row=2, values_only=True)]
    assert links[: len(FORMULAS)] == expected


def test_a_control_character_cannot_hide_a_formula_in_the_workbook(office, framework):
    cycle = make_cycle(2025, offices=[office])
    make_assessment(cycle, office, submitted=True, r1={"status_comment": "\x01=1+1"})
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(cycle=cycle).content))
    assert workbook["Comments"]["D2"].value == "'=1+1"
    assert workbook["Comments"]["D2"].data_type == "s"


def test_no_text_of_the_csv_can_run_as_a_formula(hostile):
    rows = csv_rows(build_csv(cycle=hostile))
    links = [row[14] for row in rows[1 : len(FORMULAS) + 1]]
    assert links == ["'" + text for text in FORMULAS]
    assert not [
        cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    ]


def test_building_the_workbook_takes_as_many_queries_for_many_offices_as_for_few(
    framework, django_assert_max_num_queries
):
    codes = ["AU", "NZ", "JP", "DE", "FR", "ES", "IT", "PT", "BR", "MX", "US", "CA"]
    offices = [make_office(code) for code in codes]
    cycle = make_cycle(2025, offices=offices)
    for office in offices[:2]:
        make_assessment(cycle, office, submitted=True, r1={"status": "ongoing"})
    with django_assert_max_num_queries(15) as counted:
        build_xlsx(cycle=cycle)
    for office in offices[2:]:
        make_assessment(cycle, office, submitted=True, r1={"status": "ongoing"})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        output = build_xlsx(cycle=cycle)
    assert len(sheets(output)["Answers"]) == 1 + 12 * 10


def test_a_reopened_submission_is_exported_as_submitted_not_as_revised(
    survey, office, secretariat, respondent
):
    def sheets(workbook_bytes):
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        return {sheet.title: list(sheet.values) for sheet in workbook}

    before = (build_csv(cycle=survey), build_json(cycle=survey), build_xlsx(cycle=survey))
    reopen_with_draft_edits(
        survey.assessments.get(office=office),
        secretariat=secretariat,
        respondent=respondent,
        **{"r1-status": "not_planned", "r1-status_comment": "Work in progress.", "r3-focus": True},
    )
    csv_file, json_file, xlsx_file = (
        build_csv(cycle=survey),
        build_json(cycle=survey),
        build_xlsx(cycle=survey),
    )
    assert csv_file.content == before[0].content
    assert json_file.content == before[1].content
    assert sheets(xlsx_file.content) == sheets(before[2].content)
    assert csv_file.answers == before[0].answers and "AU" in csv_file.answers
    assert csv_file.answers_hash == before[0].answers_hash


def test_the_sheets_are_named_in_the_requesters_language(survey):
    from django.utils import translation

    with translation.override("fr"):
        output = build_xlsx(cycle=survey)
    assert list(sheets(output)) == ["Réponses", "Commentaires", "Indicateurs"]
