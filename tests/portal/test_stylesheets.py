"""Our stylesheets say "start" and "end", never "left" and "right", so that one stylesheet lays
out Arabic (right to left) and the other five languages alike."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS_DIR = ROOT / "static" / "css"
STYLED_TEMPLATES = sorted(
    path for path in (ROOT / "templates").rglob("*.html") if "<style" in path.read_text()
)

# (file, fragment of the offending text): why it must stay physical.
ALLOWED = {
    (
        "pdf.css",
        "@top-left",
    ): "page-margin boxes are physical in CSS Paged Media; the rtl page swaps their content",
    (
        "pdf.css",
        "@top-right",
    ): "page-margin boxes are physical in CSS Paged Media; the rtl page swaps their content",
}

PHYSICAL = [
    (re.compile(r"\b(left|right)\b"), "a left/right property or value"),
    (re.compile(r"\bfloat\s*:"), "float (use flex or grid, which follow the direction)"),
    (
        re.compile(r"\b(translateX|translate|scaleX|rotate|rotateY)\s*\("),
        "a transform that does not mirror",
    ),
    (re.compile(r"[‹›«»←→]"), "an arrow glyph that points one way"),
    (
        re.compile(r"box-shadow\s*:\s*(inset\s+)?-?[1-9][\d.]*(px|rem|em)"),
        "a box-shadow offset to one side (use var(--inline-sign))",
    ),
    (
        re.compile(
            r"\b(margin|padding|inset|border-width|border-style|border-color|border-radius)\s*:"
            r"\s*([^\s;{}]+)\s+([^\s;{}]+)\s+([^\s;{}]+)\s+(?!\3[\s;}!])([^\s;{}]+)\s*[;}!]"
        ),
        "a four-value shorthand with different left and right",
    ),
]


def _declarations(path: Path):
    text = path.read_text()
    if path.suffix == ".html":
        # A template's own <style>, line numbers kept.
        text = re.sub(
            r"(?s)^(.*?<style[^>]*>)|</style>.*?(<style[^>]*>|$)",
            lambda m: "\n" * m.group().count("\n"),
            text,
        )
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    yield from enumerate(text.splitlines(), 1)


def _physical(path: Path) -> list[str]:
    found = []
    for number, line in _declarations(path):
        for pattern, what in PHYSICAL:
            match = pattern.search(line)
            if not match:
                continue
            if any(name == path.name and fragment in line for name, fragment in ALLOWED):
                continue
            found.append(f"{path.name}:{number}: {what}: {line.strip()}")
            break
    return found


@pytest.mark.parametrize(
    "path", sorted(CSS_DIR.glob("*.css")) + STYLED_TEMPLATES, ids=lambda p: p.name
)
def test_a_stylesheet_uses_logical_properties_only(path):
    assert _physical(path) == []


def test_the_check_finds_a_physical_property(tmp_path):
    sheet = tmp_path / "sample.css"
    sheet.write_text(
        ".a { margin-left: 1rem; }\n.b { text-align: right; }\n.c { float: left; }\n"
        ".d { padding: 1px 2px 3px 4px; }\n.e::after { content: '›'; }\n"
        "/* left in a comment is fine */\n"
        ".f { margin-inline-start: 1rem; padding: 1px 2px 3px 2px; }\n"
    )
    assert [finding.split(":")[1] for finding in _physical(sheet)] == ["1", "2", "3", "4", "5"]


def test_the_check_reads_a_templates_own_style(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<p class="left">x</p>\n<style>\n.a { padding-right: 1mm; }\n</style>\n<p>right</p>'
    )
    assert [finding.split(":")[1] for finding in _physical(page)] == ["3"]


@pytest.mark.parametrize("selector", [":root:lang(zh-hans)", '.language-switch [lang="zh-hans"]'])
def test_chinese_text_names_a_chinese_font_before_any_general_one(selector):
    """A general font may claim Chinese characters and draw empty boxes for them (Debian's
    Noto Sans does): the shipped Chinese font, kept to Chinese by its unicode-range, must
    come before the general ones."""
    css = (CSS_DIR / "portal.css").read_text()
    stack = re.search(re.escape(selector) + r"\s*\{\s*font-family:([^;]+);", css).group(1)
    families = [name.strip().strip('"') for name in stack.split(",")]
    chinese = next(i for i, name in enumerate(families) if name.startswith("Portal Chinese"))
    assert chinese < families.index("system-ui")
