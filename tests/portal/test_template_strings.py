"""Every word a template shows is marked for translation: text between tags, and the
title, alt, placeholder, aria-label and aria-description attributes, outside {% translate %}
and {% blocktranslate %}. What a template may show as is (codes, symbols) is listed here."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
# Code, not words: scripts, styles and examples of commands.
CODE = {"script", "style", "code", "pre", "kbd", "samp"}
LETTER = re.compile(r"[^\W\d_]")
# Where a template variable or tag stood: not text of the template's own.
HOLE = "\x00"

# Shown as they are in every language: codes, units and symbols.
ALLOWED = {
    "ICT",  # the brand mark, a logo
    "UTC",
    "CWS",
    "API",
    "PDF",
    "CSV",
    "XLSX",
    "JSON",
    "R",  # "R4": a recommendation's number
    "v",  # "v3": a version
    "ST.3",
    "WIPO",
    "https",
}


def skeleton(source: str) -> str:
    """The template's own text and markup: translated blocks and comments left out, every
    variable and tag a hole."""
    parts, skipping = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping:
                if name == skipping:
                    skipping = None
                parts.append(HOLE)
                continue
            if name in ("if", "elif", "else", "endif", "for", "empty", "endfor", "with"):
                # Often inside a tag (<tr{% if %} class="x"{% endif %}>): a space keeps it one.
                parts.append(" ")
                continue
            if name in ("blocktranslate", "blocktrans"):
                skipping = "end" + name
            elif name == "comment":
                skipping = "endcomment"
            elif name == "verbatim":
                skipping = "endverbatim"
            parts.append(_hole(parts))
        elif skipping:
            continue
        elif token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.COMMENT:
            continue
        else:
            parts.append(_hole(parts))
    return "".join(parts)


def _hole(parts: list[str]) -> str:
    """Where a variable or tag stood. Inside an HTML tag (<h1{{ title|langattrs }}>,
    <div{% written_in language %}>) it gives attributes, not text: a space keeps the tag one."""
    so_far = "".join(parts)
    return " " if so_far.rfind("<") > so_far.rfind(">") else HOLE


class Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in CODE:
            self.skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.check(value)

    def handle_endtag(self, tag):
        if tag in CODE:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.check(data)

    def check(self, text: str) -> None:
        for piece in text.split(HOLE):
            words = [word for word in re.split(r"[\s·–—()\[\],.:;/|%+=#…→←-]+", piece) if word]
            for word in words:
                if LETTER.search(word) and word.strip("“”’'\"") not in ALLOWED:
                    self.found.append(piece.strip())
                    return


def untranslated(path: Path) -> list[str]:
    reader = Reader()
    reader.feed(skeleton(path.read_text(encoding="utf-8")))
    reader.close()
    return reader.found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt")),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_every_word_a_template_shows_is_marked_for_translation(path):
    assert untranslated(path) == []


def test_the_check_finds_a_word_left_unmarked():
    assert untranslated_text('<p title="Open it">{% translate "Yes" %} Done</p>') == [
        "Open it",
        "Done",
    ]


def test_the_check_leaves_codes_translated_blocks_and_variables_alone():
    text = "{% blocktranslate %}Sent on {{ d }}{% endblocktranslate %} UTC {{ x }} <b>R</b>"
    assert untranslated_text(text) == []


def untranslated_text(text: str) -> list[str]:
    reader = Reader()
    reader.feed(skeleton(text))
    reader.close()
    return reader.found
