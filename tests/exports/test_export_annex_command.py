import datetime

import pytest
from django.core.management import CommandError, call_command

from exports.annex import build_annex

pytestmark = pytest.mark.django_db


def test_the_command_writes_the_annex_the_page_would_build(survey, tmp_path, capsys):
    out = tmp_path / "annex.pdf"
    call_command(
        "export_annex",
        "--year",
        "2025",
        "--out",
        str(out),
        "--symbol",
        "CWS/14/8",
        "--date",
        "2026-03-02",
    )
    expected = build_annex(cycle=survey, symbol="CWS/14/8", date=datetime.date(2026, 3, 2))
    assert out.read_bytes() == expected.content
    printed = capsys.readouterr()
    assert f"{expected.pages} pages" in printed.out and "6 responding offices" in printed.out
    assert "Laying out the pages" in printed.err


def test_the_command_refuses_an_unknown_year(survey, tmp_path):
    with pytest.raises(CommandError, match=r"There is no 1999 cycle \(cycles: 2025\)"):
        call_command("export_annex", "--year", "1999", "--out", str(tmp_path / "x.pdf"))


def test_the_command_builds_the_annex_in_the_language_asked_for(survey, tmp_path):
    out = tmp_path / "annex-fr.pdf"
    call_command(
        "export_annex",
        *("--year", "2025", "--out", str(out), "--date", "2026-03-02", "--language", "fr"),
        *("--symbol", "CWS/14/8", "--verbosity", "0"),
    )
    expected = build_annex(
        cycle=survey, symbol="CWS/14/8", date=datetime.date(2026, 3, 2), language="fr"
    )
    assert out.read_bytes() == expected.content


def test_the_command_refuses_a_language_the_portal_does_not_speak(survey, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "export_annex", "--year", "2025", "--out", str(tmp_path / "x.pdf"), "--language", "de"
        )
