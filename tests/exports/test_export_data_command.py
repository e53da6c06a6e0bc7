import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from assessments.exchange import survey_export
from tests.factories import make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(office, framework):
    ep = make_office("EP")
    cycle = make_cycle(2025, offices=[office, ep])
    make_assessment(cycle, office, submitted=True, r1={"status": "implemented"})
    make_assessment(cycle, ep, submitted=True, r1={"status": "ongoing"})
    return cycle


def export(*args) -> str:
    out = io.StringIO()
    call_command("export_data", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_workbook_and_says_what_it_wrote(cycle, tmp_path):
    target = tmp_path / "data.xlsx"
    said = export("--year", "2025", "--format", "xlsx", "--out", str(target))
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Answers", "Comments", "Indicators"]
    assert workbook["Answers"]["B2"].value == "AU"
    size = target.stat().st_size
    assert said.strip() == f"Wrote {target} ({size:,} bytes, 2 offices)."


def test_the_command_writes_the_answers_as_csv(cycle, tmp_path):
    target = tmp_path / "answers.csv"
    export("--year", "2025", "--format", "csv", "--out", str(target))
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Year,Office code,")
    assert len(lines) == 1 + 2 * 10


def test_the_command_writes_the_exchange_format_as_json(cycle, tmp_path):
    target = tmp_path / "survey.json"
    export("--year", "2025", "--format", "json", "--out", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == survey_export(cycle=cycle)


def test_without_out_the_file_takes_the_exports_own_name(cycle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export("--year", "2025", "--format", "csv")
    assert (tmp_path / "ict-maturity-2025-answers.csv").exists()


def test_the_command_refuses_an_unknown_year_and_names_the_known_ones(cycle, tmp_path):
    target = tmp_path / "data.xlsx"
    with pytest.raises(CommandError, match=r"There is no 1999 cycle \(cycles: 2025\)\."):
        export("--year", "1999", "--out", str(target))
    assert not target.exists()


def test_the_command_refuses_an_unknown_format(cycle, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        export("--year", "2025", "--format", "pdf", "--out", str(tmp_path / "data.pdf"))
