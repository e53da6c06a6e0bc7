"""Every PDF is typeset with the fonts shipped in static/fonts, whatever the system has."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from exports.pdf import render_pdf

SIX_SCRIPTS = (
    "<h1>Summary → Résumé</h1>"
    "<p>Стратегия ИКТ утверждена. الاستراتيجية معتمدة منذ 2024. 云迁移试点项目。"
    " Proyecto ▲ 92 % ≤ 100 ✓</p><p><b>Bold</b> <i>italic</i> <b>粗体 عريض</b></p>"
)


def embedded_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            # "ABCDEF+Portal-Sans-Bold": the subset tag, then the family and style.
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


def test_text_in_the_six_languages_uses_only_the_shipped_fonts(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")

    rendered = render_pdf(SIX_SCRIPTS)

    assert embedded_fonts(rendered.content) <= {
        "Portal-Sans",
        "Portal-Sans-Bold",
        "Portal-Sans-Italic",
        "Portal-Arabic",
        "Portal-Arabic-Bold",
        "Portal-Chinese",
        "Portal-Chinese-Bold",
    }
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]


def test_a_machine_without_any_font_prints_the_same_pdf(tmp_path):
    # Fontconfig is read once per process: the bare machine is a child process whose
    # configuration names no font folder at all.
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    script = (
        "import django, sys; django.setup(); from exports.pdf import render_pdf; "
        "sys.stdout.buffer.write(render_pdf(sys.stdin.read()).content)"
    )
    bare = subprocess.run(
        [sys.executable, "-c", script],
        input=SIX_SCRIPTS.encode(),
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
    ).stdout

    assert bare == render_pdf(SIX_SCRIPTS).content


def test_a_pdf_is_tagged_for_screen_readers_in_its_language():
    rendered = render_pdf(
        '<!DOCTYPE html><html lang="fr"><head><title>Résumé</title></head>'
        "<body><h1>Résumé</h1><p>Un paragraphe.</p></body></html>"
    )

    catalog = PdfReader(io.BytesIO(rendered.content)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "fr"


def test_the_same_html_gives_the_same_tagged_bytes():
    assert render_pdf(SIX_SCRIPTS).content == render_pdf(SIX_SCRIPTS).content
