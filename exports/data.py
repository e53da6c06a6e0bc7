"""The data of one survey cycle for the task force and the secretariat: XLSX, CSV and JSON.

These files go to co-leads and the secretariat only, so texts marked "not for publication"
are included (and marked as such), unlike the committee annex.
"""

import csv
import io
import json

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from assessments.exchange import survey_export
from assessments.models import Assessment, Cycle
from assessments.questionnaire import TEXT_ANSWERS
from assessments.submissions import submitted_answers, submitted_assessments
from exports.output import Output, Progress, neutralised, no_progress, read_consistently
from kpi.engine import FLAGS, STATUSES, UNANSWERED
from kpi.services import cycle_kpis
from portal.offices.models import OfficeType, Region
from recommendations.models import Recommendation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"

TEXTS = TEXT_ANSWERS
ANSWER_FIELDS = (
    *("assessment_id", "recommendation_id", "status", *FLAGS),
    *("maturity_current", "maturity_target", "evidence_url"),
    *TEXTS,
    *(f"{name}_private" for name in TEXTS),
)
MIN_WIDTH, MAX_WIDTH = 8, 60


class _Answers:
    """Everything the files are built from, read in a fixed number of queries."""

    def __init__(self, cycle: Cycle):
        self.cycle = cycle
        self.recommendations = list(
            Recommendation.objects.filter(framework_id=cycle.framework_id)
            .order_by("number")
            .values("id", "number", "short_title")
        )
        # As last submitted: a reopened submission counts with the answers it submitted.
        submissions = Assessment.objects.filter(cycle=cycle).order_by("office__code")
        self.assessments = submitted_assessments(submissions)
        self.answers = {
            (answer.assessment_id, answer.recommendation_id): {
                name: getattr(answer, name) for name in ANSWER_FIELDS
            }
            for answer in submitted_answers(submissions)
        }

    def answer(self, assessment, recommendation) -> dict:
        """The stored values, or {} for a recommendation without a row (unanswered)."""
        return self.answers.get((assessment.pk, recommendation["id"]), {})

    def each(self):
        for assessment in self.assessments:
            for recommendation in self.recommendations:
                yield assessment, recommendation, self.answer(assessment, recommendation)


def _read(cycle: Cycle) -> tuple[_Answers, dict[str, int], str]:
    return read_consistently(cycle, lambda: _Answers(cycle))


def _answers_header() -> list[str]:
    return [
        gettext("Year"),
        gettext("Office code"),
        gettext("Office name"),
        gettext("Region"),
        gettext("Office type"),
        gettext("Recommendation"),
        gettext("Short title"),
        gettext("Status"),
        gettext("Focus"),
        gettext("Low priority"),
        gettext("Challenge"),
        gettext("Discuss"),
        gettext("Current maturity"),
        gettext("Target maturity"),
        gettext("Evidence link"),
        gettext("Submitted at"),
    ]


def _answers_rows(data: _Answers) -> list[list]:
    regions, types = dict(Region.choices), dict(OfficeType.choices)
    rows = []
    for assessment, recommendation, answer in data.each():
        office = assessment.office
        submitted_at = assessment.submitted_at
        rows.append(
            [
                data.cycle.year,
                office.code,
                office.name,
                str(regions.get(office.region, office.region)),
                str(types.get(office.office_type, office.office_type)),
                recommendation["number"],
                recommendation["short_title"],
                answer.get("status", ""),
                answer.get("focus"),
                answer.get("low_priority"),
                answer.get("challenge"),
                answer.get("discuss"),
                answer.get("maturity_current"),
                answer.get("maturity_target"),
                answer.get("evidence_url", ""),
                submitted_at.isoformat() if submitted_at else "",
            ]
        )
    return rows


def _comments_header() -> list[str]:
    return [
        gettext("Office code"),
        gettext("Recommendation"),
        gettext("Question"),
        gettext("Text"),
        gettext("Not for publication"),
    ]


def _comments_rows(data: _Answers) -> list[list]:
    per_recommendation = (
        ("status_comment", gettext("Q3 status comment")),
        ("focus_comment", gettext("Q4 related projects")),
        ("low_priority_comment", gettext("Q5 why low priority")),
        ("challenge_comment", gettext("Q6 why a challenge")),
        ("evidence", gettext("Maturity evidence")),
    )
    per_assessment = (
        ("proposals", gettext("Q7 proposals")),
        ("other_comments", gettext("Other comments")),
    )
    rows = []
    for assessment in data.assessments:
        code = assessment.office.code
        for recommendation in data.recommendations:
            answer = data.answer(assessment, recommendation)
            for name, question in per_recommendation:
                if answer.get(name, "").strip():
                    number, private = recommendation["number"], answer[f"{name}_private"]
                    rows.append([code, number, question, answer[name], private])
        for name, question in per_assessment:
            text = getattr(assessment, name)
            if text.strip():
                rows.append([code, None, question, text, getattr(assessment, f"{name}_private")])
    return rows


def _kpi_document(cycle: Cycle) -> dict:
    # Computed from the answers, not read from the snapshot: the KPI sheet must agree with
    # the answers sheet beside it even when the snapshot has not caught up yet.
    return cycle_kpis(cycle)


def _kpi_sheet(data: _Answers) -> tuple[list[str], list[list]]:
    measures = [*STATUSES, UNANSWERED, "adoption", "commitment", *FLAGS]
    header = [gettext("Recommendation"), gettext("Short title"), gettext("Respondents")]
    for measure in measures:
        header += [f"{measure} count", f"{measure} %"]
    header += [
        gettext("Maturity mean"),
        gettext("Maturity median"),
        gettext("Target gap mean"),
        gettext("Priority signal"),
    ]
    document = _kpi_document(data.cycle)
    titles = {r["number"]: r["short_title"] for r in data.recommendations}
    rows = []
    for entry in document["recommendations"]:
        row = [entry["number"], titles.get(entry["number"], ""), document["respondents"]]
        for measure in measures:
            figure = entry["status"][measure] if measure in entry["status"] else entry[measure]
            row += [figure["count"], figure["percent"]]
        row += [
            entry["maturity"]["mean"],
            entry["maturity"]["median"],
            entry["target_gap"]["mean"],
            entry["priority_signal"],
        ]
        rows.append(row)
    return header, rows


def _xlsx_value(value):
    if value == "":
        return None  # an empty cell, not an empty string, so that blank reads as blank
    if isinstance(value, str):
        # openpyxl refuses control characters; a pasted text may hold some. Strip them first
        # so that one hidden before "=" cannot shield a formula from neutralised().
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralised(value)


def _write_sheet(sheet, header: list[str], rows: list[list]) -> None:
    bold = Font(bold=True)
    widths = [len(title) for title in header]
    for row_number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_xlsx_value(value))
            if cell.data_type == "f":
                # Never reached after neutralised(); kept so no future text runs as a formula.
                cell.data_type = "s"
            if row_number == 1:
                cell.font = bold
            elif value is not None:
                widths[column - 1] = max(widths[column - 1], len(str(value)))
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def build_xlsx(*, cycle: Cycle, progress: Progress = no_progress) -> Output:
    """The cycle's answers, free texts (private ones marked) and KPIs as a workbook."""
    progress(10, gettext("Reading the answers"))
    data, answers, answers_hash = _read(cycle)
    kpi_header, kpi_rows = _kpi_sheet(data)
    progress(60, gettext("Writing the sheets"))
    workbook = Workbook()
    answers_sheet = workbook.active
    # Sheet names in the requester's language, as the headers (a sheet name holds 31 characters).
    answers_sheet.title = gettext("Answers")[:31]
    _write_sheet(answers_sheet, _answers_header(), _answers_rows(data))
    comments = workbook.create_sheet(gettext("Comments")[:31])
    _write_sheet(comments, _comments_header(), _comments_rows(data))
    _write_sheet(workbook.create_sheet(gettext("Indicators")[:31]), kpi_header, kpi_rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    progress(100, gettext("The workbook is ready"))
    return Output(
        content=buffer.getvalue(),
        filename=f"ict-maturity-{cycle.year}.xlsx",
        content_type=XLSX_TYPE,
        answers=answers,
        answers_hash=answers_hash,
    )


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return neutralised(value)


def build_csv(*, cycle: Cycle, progress: Progress = no_progress) -> Output:
    """The Answers sheet as CSV; the byte order mark makes Excel read it as UTF-8."""
    progress(10, gettext("Reading the answers"))
    data, answers, answers_hash = _read(cycle)
    rows = _answers_rows(data)
    progress(60, gettext("Writing the file"))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_csv_value(title) for title in _answers_header()])
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    progress(100, gettext("The file is ready"))
    return Output(
        content=text.getvalue().encode("utf-8-sig"),
        filename=f"ict-maturity-{cycle.year}-answers.csv",
        content_type=CSV_TYPE,
        answers=answers,
        answers_hash=answers_hash,
    )


def build_json(*, cycle: Cycle, progress: Progress = no_progress) -> Output:
    """The cycle in the exchange format (docs/exchange-format.md), as import_survey reads it."""
    progress(10, gettext("Reading the answers"))
    document, answers, answers_hash = read_consistently(cycle, lambda: survey_export(cycle=cycle))
    progress(60, gettext("Writing the file"))
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    progress(100, gettext("The file is ready"))
    return Output(
        content=content,
        filename=f"ict-maturity-{cycle.year}.json",
        content_type=JSON_TYPE,
        answers=answers,
        answers_hash=answers_hash,
    )
