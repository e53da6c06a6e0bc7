"""The SVG chart renderer: valid, accessible, escaped, deterministic, and drawn by WeasyPrint."""

import functools
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from exports.pdf import render_pdf
from kpi import charts
from kpi.charts import (
    ACCENT_COLOR,
    MATURITY_COLORS,
    STATUS_CELLS,
    STATUS_COLORS,
    STATUS_KEYS,
    Cell,
    Series,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & co'

RECOMMENDATIONS = [
    "1. Digital transformation",
    "2. Information security",
    "3. Cloud services",
    "4. Artificial intelligence",
    "5. Data-driven decisions",
    "6. Online services",
    "7. Interoperability",
    "8. Workforce ICT skills",
    "9. Enterprise architecture",
    "10. Sustainability",
]
STATUS_NAMES = [
    "Implemented",
    "Ongoing implementation",
    "Decision made to implement",
    "Under consideration",
    "Not planned",
    "Not answered",
]
# One row of shares per recommendation, each adding up to 100.
SHARES = [
    [40, 20, 10, 10, 10, 10],
    [25, 25, 25, 25, 0, 0],
    [100, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 100],
    [3, 7, 30, 30, 25, 5],
    [50, 50, 0, 0, 0, 0],
    [10, 10, 10, 10, 10, 50],
    [12, 18, 20, 20, 20, 10],
    [33, 33, 34, 0, 0, 0],
    [60, 20, 10, 5, 5, 0],
]
FOCUS = [12, 67, 45, 0, 100, 23, 88, 8, 51, 75]


def status_series():
    return [Series(name, [row[k] for row in SHARES]) for k, name in enumerate(STATUS_NAMES)]


def make_stacked(**overrides):
    kwargs = {
        "chart_id": "status",
        "title": "Implementation status",
        "description": "Share of respondents by status for each recommendation.",
        "categories": RECOMMENDATIONS,
        "series": status_series(),
    }
    kwargs.update(overrides)
    return charts.stacked_bars(**kwargs)


def make_bars(**overrides):
    kwargs = {
        "chart_id": "focus",
        "title": "Focus rate",
        "description": "Share of respondents that focus on each recommendation.",
        "categories": RECOMMENDATIONS,
        "values": FOCUS,
        "highlight": {9},
        "highlight_label": "Priority signal",
    }
    kwargs.update(overrides)
    return charts.bars(**kwargs)


def status_cell(key):
    text, color = STATUS_CELLS[key]
    return Cell(text, color, STATUS_NAMES[STATUS_KEYS.index(key)])


def office_codes(count):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [a + b for a in letters for b in letters][:count]


def make_heatmap(count=12, **overrides):
    rows = office_codes(count)
    cells = [
        [None if (r + c) % 7 == 0 else status_cell(STATUS_KEYS[(r * 3 + c) % 6]) for c in range(10)]
        for r in range(count)
    ]
    kwargs = {
        "chart_id": "status-by-office",
        "title": "Status by office",
        "description": "Implementation status of each recommendation by office.",
        "rows": rows,
        "columns": [str(n) for n in range(1, 11)],
        "cells": cells,
        "legend": [
            (f"{STATUS_CELLS[k][0]} {n}", STATUS_CELLS[k][1])
            for k, n in zip(STATUS_KEYS, STATUS_NAMES, strict=True)
        ],
    }
    kwargs.update(overrides)
    return charts.heatmap(**kwargs)


MAKERS = {"stacked": make_stacked, "bars": make_bars, "heatmap": make_heatmap}


def parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted data


def texts(root):
    """The visible text lines of a chart."""
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def titles(root):
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}title")]


def rects(root):
    return list(root.iter(f"{SVG}rect"))


# --- Structure and accessibility ---------------------------------------------------------------
@pytest.mark.parametrize("kind", MAKERS)
def test_svg_is_well_formed_and_labelled(kind):
    svg = MAKERS[kind]()
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    assert (x, y, width) == (0, 0, 720) and height > 0
    ids = root.get("aria-labelledby").split()
    assert len(ids) == 2
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert by_id[ids[0]].tag == f"{SVG}title"
    assert by_id[ids[1]].tag == f"{SVG}desc"
    assert by_id[ids[0]].text and by_id[ids[1]].text
    # The accessible name comes first, as screen readers expect.
    assert root[0].tag == f"{SVG}title"


@pytest.mark.parametrize("kind", MAKERS)
def test_output_is_deterministic(kind):
    assert str(MAKERS[kind]()) == str(MAKERS[kind]())


@pytest.mark.parametrize("kind", MAKERS)
def test_no_scripts_styles_or_external_references(kind):
    svg = str(MAKERS[kind]())
    for forbidden in ("<script", "<style", "style=", "href", "url(", "var(", "<image", "@"):
        assert forbidden not in svg


def test_chart_id_is_slugified_and_validated():
    root = parse(make_bars(chart_id='Focus rate "2025"><b>'))
    assert root.get("id") == "focus-rate-2025b"
    assert root.get("aria-labelledby") == "focus-rate-2025b-title focus-rate-2025b-desc"
    assert parse(make_bars(chart_id="2025 focus")).get("id") == "chart-2025-focus"
    for bad in ("", "<>", "   "):
        with pytest.raises(ValueError):
            make_bars(chart_id=bad)


def test_title_and_description_come_from_the_caller():
    root = parse(make_stacked(title="Status 2025", description="Ten bars."))
    assert root.find(f"{SVG}title").text == "Status 2025"
    assert root.find(f"{SVG}desc").text == "Ten bars."


# --- Stacked bars ----------------------------------------------------------------------------
def test_stacked_bars_show_every_label_legend_and_value():
    root = parse(make_stacked())
    drawn = texts(root)
    for category in RECOMMENDATIONS:
        assert category in drawn
    for name in STATUS_NAMES:
        assert name in drawn  # the legend
    tooltips = titles(root)
    for row, category in zip(SHARES, RECOMMENDATIONS, strict=True):
        assert category in tooltips
        for name, value in zip(STATUS_NAMES, row, strict=True):
            if value:
                assert f"{name}: {value} %" in tooltips
                if value >= 6:
                    assert str(value) in drawn
    assert "100 %" in drawn and "0 %" in drawn  # the scale


def test_stacked_bars_write_small_segments_only_in_the_tooltip():
    root = parse(
        make_stacked(
            categories=["1. Digital transformation"],
            series=[Series("Small", [5]), Series("Big", [95])],
        )
    )
    drawn = texts(root)
    assert "95" in drawn
    assert "5" not in drawn
    assert "Small: 5 %" in titles(root)


def test_stacked_bars_use_the_status_palette_by_default_and_pick_readable_text():
    root = parse(make_stacked())
    swatches = [r.get("fill") for r in rects(root)[: len(STATUS_NAMES)]]
    assert swatches == STATUS_COLORS
    # The value on the dark green segment is white, on the light grey one dark.
    fills = {t.text: t.get("fill") for t in root.iter(f"{SVG}text")}
    assert fills["40"] == charts.WHITE  # Implemented, recommendation 1
    assert charts.contrast(fills["50"], STATUS_COLORS[5]) >= 4.5  # Not answered, rec. 7


def test_stacked_bars_full_and_empty_rows():
    root = parse(make_stacked())
    span = 720 - charts.PAD - 12 - (charts.PAD + charts.LABEL_COLUMN)
    bars_of_row_3 = [
        r
        for r in rects(root)
        if r.find(f"{SVG}title") is not None
        and r.find(f"{SVG}title").text.startswith("Implemented: 100")
    ]
    assert len(bars_of_row_3) == 1
    assert math.isclose(float(bars_of_row_3[0].get("width")), span)
    # Zero values draw no segment.
    for rect in rects(root):
        assert float(rect.get("width")) > 0


def test_stacked_bars_all_zero_and_counts():
    zero = parse(make_stacked(series=[Series(n, [0] * 10) for n in STATUS_NAMES]))
    assert all(
        r.find(f"{SVG}title") is None for r in rects(zero)
    )  # only legend swatches, no segments
    counts = parse(
        make_stacked(
            categories=RECOMMENDATIONS[:2],
            series=[Series("Implemented", [3, 12]), Series("Ongoing", [9, 0])],
            percent=False,
        )
    )
    drawn = texts(counts)
    assert {"3", "9", "12"} <= set(drawn)
    assert "%" not in "".join(drawn)
    assert drawn[-1] == "12"  # the scale ends on a round number at or above 12


def test_stacked_bars_round_half_up():
    root = parse(
        make_stacked(
            categories=["1. Digital transformation"],
            series=[Series("A", [66.5]), Series("B", [33.5])],
        )
    )
    assert {"67", "34"} <= set(texts(root))


def label_lines(root):
    """Each drawn text as its lines (a wrapped label is one <text> of several <tspan>)."""
    return [
        [span.text for span in el.iter(f"{SVG}tspan")] or ["".join(el.itertext())]
        for el in root.iter(f"{SVG}text")
    ]


def height(root):
    return float(root.get("viewBox").split()[3])


LONG = "7. Interoperability and data exchange with other IP offices and with the public"


@pytest.mark.parametrize("make", [make_stacked, make_bars])
@pytest.mark.parametrize("narrow", [False, True])
def test_long_labels_wrap_whole_over_several_lines_and_the_row_grows(make, narrow):
    extra = {"series": [Series("A", [100])]} if make is make_stacked else {"values": [50]}
    short = parse(make(categories=["1. Short"], narrow=narrow, **extra))
    root = parse(make(categories=[LONG], narrow=narrow, **extra))
    wrapped = [lines for lines in label_lines(root) if len(lines) > 1]
    assert len(wrapped) == 1
    assert " ".join(wrapped[0]) == LONG
    assert not any(t.endswith("…") for t in texts(root))
    assert height(root) > height(short)
    assert any(LONG in t for t in titles(root))


def test_the_narrow_layout_is_half_as_wide_so_its_text_stays_readable_on_a_phone():
    wide, narrow = parse(make_bars()), parse(make_bars(narrow=True))
    assert wide.get("viewBox").split()[2] == "720"
    assert narrow.get("viewBox").split()[2] == "360"
    assert texts(narrow) == texts(wide)


# --- Bars ------------------------------------------------------------------------------------
def test_bars_write_every_value_at_the_end_of_its_bar():
    root = parse(make_bars())
    drawn = texts(root)
    for category, value in zip(RECOMMENDATIONS, FOCUS, strict=True):
        assert category in drawn
        assert f"{value} %" in drawn
        assert f"{category}: {value} %" in titles(root)


def test_bars_highlight_in_accent_colour_and_bold():
    root = parse(make_bars(highlight={1, 9}))
    accent = [r for r in rects(root) if r.get("fill") == ACCENT_COLOR]
    assert len(accent) == 3  # two bars and the legend swatch
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert set(bold) == {RECOMMENDATIONS[1], "67 %", RECOMMENDATIONS[9], "75 %"}
    assert "Priority signal" in texts(root)
    assert "Priority signal" not in texts(parse(make_bars(highlight=None)))


def test_bars_zero_full_and_over_the_maximum():
    root = parse(make_bars(categories=["a", "b", "c"], values=[0, 100, 130], highlight=None))
    drawn = texts(root)
    assert {"0 %", "100 %", "130 %"} <= set(drawn)
    widths = [float(r.get("width")) for r in rects(root)]
    assert len(widths) == 2  # no bar for zero
    assert widths[0] == widths[1]  # 130 % is drawn full length, its text says the truth


def test_bars_other_units_and_decimals():
    root = parse(
        make_bars(categories=["a", "b"], values=[2.45, 3], max_value=5, unit="", highlight=None)
    )
    drawn = texts(root)
    assert {"2.5", "3.0"} <= set(drawn)
    assert {"0", "1", "2", "3", "4", "5"} <= set(drawn)  # the scale in whole levels
    with translation.override("fr"):
        french = texts(parse(make_bars(categories=["a"], values=[2.5], max_value=5, unit="")))
    assert "2,5" in french


def test_rounding_is_half_up():
    assert "67 %" in texts(parse(make_bars(categories=["a"], values=[66.5])))
    assert "1 %" in texts(parse(make_bars(categories=["a"], values=[0.5])))


# --- Heatmap ---------------------------------------------------------------------------------
def test_heatmap_shows_rows_columns_cells_and_legend():
    root = parse(make_heatmap())
    drawn = texts(root)
    for code in office_codes(12):
        assert code in drawn
    for column in range(1, 11):
        assert str(column) in drawn
    for key in STATUS_KEYS:
        assert STATUS_CELLS[key][0] in drawn
    tooltips = titles(root)
    assert "AA, 1: No answer" in tooltips  # (0 + 0) % 7 == 0: an empty cell
    assert "AA, 2: Ongoing implementation" in tooltips
    assert f"{STATUS_CELLS['implemented'][0]} Implemented" in drawn  # legend
    empty = [r for r in rects(root) if r.get("fill") == charts.EMPTY_FILL]
    assert len(empty) == sum(1 for r in range(12) for c in range(10) if (r + c) % 7 == 0)


def test_heatmap_of_200_offices_stays_legible():
    root = parse(make_heatmap(count=200))
    cells = [r for r in rects(root) if r.find(f"{SVG}title") is not None]
    assert len(cells) == 2000
    heights = {float(r.get("height")) for r in cells}
    assert heights == {14}
    sizes = {float(t.get("font-size")) for t in root.iter(f"{SVG}text")}
    assert min(sizes) >= 9
    drawn = texts(root)
    for code in office_codes(200):
        assert code in drawn
    assert drawn.count("10") == 2  # column headers repeated under a long grid


def test_heatmap_with_maturity_levels_picks_readable_text():
    cells = [[Cell(str(level), MATURITY_COLORS[level], f"Level {level}") for level in range(1, 6)]]
    root = parse(
        charts.heatmap(
            chart_id="maturity",
            title="Maturity",
            description="Current maturity level.",
            rows=["AU"],
            columns=["1", "2", "3", "4", "5"],
            cells=cells,
            legend=[(f"Level {n}", c) for n, c in MATURITY_COLORS.items()],
        )
    )
    elements = list(root.iter())
    for rect in rects(root):
        title = rect.find(f"{SVG}title")
        if title is None:
            continue
        text = elements[elements.index(rect) + 2]  # rect, its title, then the cell text
        assert text.tag == f"{SVG}text"
        assert charts.contrast(text.get("fill"), rect.get("fill")) >= 4.5


def test_heatmap_pages_split_long_grids():
    rows = office_codes(120)
    parts = charts.heatmap_pages(
        chart_id="status-by-office",
        title="Status by office",
        description="Status.",
        rows=rows,
        columns=[str(n) for n in range(1, 11)],
        cells=[[None] * 10 for _ in rows],
        legend=[],
        rows_per_page=50,
    )
    roots = [parse(p) for p in parts]
    assert [r.get("id") for r in roots] == [f"status-by-office-{n}" for n in (1, 2, 3)]
    assert roots[1].find(f"{SVG}title").text == "Status by office (part 2 of 3)"
    assert rows[50] in texts(roots[1]) and rows[50] not in texts(roots[0])
    assert sum(len([t for t in texts(r) if len(t) == 2 and t.isalpha()]) for r in roots) == 120
    single = charts.heatmap_pages(
        chart_id="x",
        title="T",
        description="D",
        rows=["AU"],
        columns=["1"],
        cells=[[None]],
        legend=[],
    )
    assert len(single) == 1 and parse(single[0]).get("id") == "x"


# --- Escaping, empty input, validation ----------------------------------------------------------
def test_hostile_text_is_escaped_everywhere():
    outputs = [
        make_stacked(
            title=HOSTILE,
            description=HOSTILE,
            categories=[HOSTILE, "2. " + HOSTILE],
            series=[Series(HOSTILE, [50, 50]), Series("B", [50, 50])],
        ),
        make_bars(
            title=HOSTILE,
            categories=[HOSTILE],
            values=[50],
            highlight={0},
            highlight_label=HOSTILE,
            unit="<b>",
        ),
        make_heatmap(
            count=1,
            title=HOSTILE,
            rows=[HOSTILE],
            columns=[HOSTILE] + [str(n) for n in range(2, 11)],
            cells=[[Cell(HOSTILE, "#123456", HOSTILE)] * 10],
            legend=[(HOSTILE, "#123456")],
        ),
    ]
    for svg in outputs:
        text = str(svg)
        assert "<script" not in text and "<b>" not in text
        assert "&lt;script&gt;" in text
        root = parse(svg)
        assert not [el for el in root.iter() if "script" in el.tag or el.tag == f"{SVG}b"]
        assert any(HOSTILE[:20] in t for t in titles(root))


def test_hostile_colours_are_refused():
    for bad in ('red" onload="alert(1)', "red", "#12345", "url(#x)"):
        with pytest.raises(ValueError):
            make_stacked(series=[Series("A", [100] * 10, color=bad)])
        with pytest.raises(ValueError):
            make_heatmap(count=1, cells=[[Cell("x", bad, "x")] * 10])
    root = parse(make_stacked(series=[Series("A", [100] * 10, color="#ABC")]))
    assert "#aabbcc" in {r.get("fill") for r in rects(root)}


@pytest.mark.parametrize(
    "svg",
    [
        lambda: make_stacked(categories=[], series=[]),
        lambda: make_bars(categories=[], values=[]),
        lambda: make_heatmap(rows=[], cells=[]),
        lambda: make_heatmap(columns=[], cells=[[] for _ in range(12)]),
    ],
)
def test_empty_input_says_no_data(svg):
    root = parse(svg())
    assert texts(root) == ["No data"]
    assert root.get("role") == "img"
    ids = {el.get("id") for el in root.iter()}
    assert set(root.get("aria-labelledby").split()) <= ids
    assert float(root.get("viewBox").split()[3]) < 100


def test_inconsistent_input_is_refused():
    with pytest.raises(ValueError):
        make_stacked(series=[Series("A", [1, 2])])
    with pytest.raises(ValueError):
        make_stacked(series=[])
    with pytest.raises(ValueError):
        make_bars(values=[1, 2])
    with pytest.raises(ValueError):
        make_bars(max_value=0)
    for bad in (float("nan"), float("inf"), -1):
        with pytest.raises(ValueError):
            make_bars(categories=["a"], values=[bad])
    with pytest.raises(ValueError):
        make_heatmap(count=2, cells=[[None] * 10])
    with pytest.raises(ValueError):
        make_heatmap(count=1, cells=[[None] * 9])


# --- Palettes --------------------------------------------------------------------------------
def test_palettes():
    assert len(STATUS_COLORS) == 6
    assert (
        set(STATUS_CELLS)
        == set(STATUS_KEYS)
        == {
            "implemented",
            "ongoing",
            "decided",
            "considering",
            "not_planned",
            "",
        }
    )
    assert [color for _, color in STATUS_CELLS.values()] == STATUS_COLORS
    assert sorted(MATURITY_COLORS) == [1, 2, 3, 4, 5]
    # A sequential ramp: each level darker than the one before.
    lightness = [charts._luminance(MATURITY_COLORS[n]) for n in range(1, 6)]
    assert lightness == sorted(lightness, reverse=True)
    for color in [*STATUS_COLORS, *MATURITY_COLORS.values(), charts.BAR_COLOR, ACCENT_COLOR]:
        ink = charts._on(color)
        assert charts.contrast(ink, color) >= 4.5, color


# --- WeasyPrint ------------------------------------------------------------------------------
def pdf_text(pdf: bytes) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        if not shutil.which("pdftotext"):
            pytest.skip("neither pypdf nor pdftotext is installed")
        result = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return result.stdout.decode()
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_weasyprint_draws_the_charts():
    html = (
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        f"<h2>Status</h2>{make_stacked()}<h2>Focus</h2>{make_bars()}"
        f"<h2>Offices</h2>{make_heatmap()}</body></html>"
    )
    text = pdf_text(render_pdf(html).content)
    assert "Digital transformation" in text
    assert "Decision made to implement" in text  # the legend
    assert "67 %" in text  # a bar value
    assert "40" in text  # a segment value
    assert "AA" in text  # a heatmap row
    assert "No data" not in text


def test_weasyprint_prints_every_office_of_a_long_heatmap_in_parts():
    # A drawing cannot break across PDF pages: a single tall SVG is cut at the page end.
    rows = office_codes(120)
    parts = charts.heatmap_pages(
        chart_id="status-by-office",
        title="Status by office",
        description="Status.",
        rows=rows,
        columns=[str(n) for n in range(1, 11)],
        cells=[[status_cell(STATUS_KEYS[(r + c) % 6]) for c in range(10)] for r in range(120)],
        legend=[],
    )
    html = "".join(f'<div style="break-inside: avoid">{part}</div>' for part in parts)
    words = pdf_text(render_pdf(f"<html><body>{html}</body></html>").content)
    assert set(rows) <= set(words.split())


# --- Right to left ------------------------------------------------------------------------------
def arabic(make, **overrides):
    with translation.override("ar"):
        return parse(make(**overrides))


def first_text(root, content):
    return next(
        el for el in root.iter(f"{SVG}text") if "".join(el.itertext()).strip(ISOLATES) == content
    )


ISOLATES = "\u2068\u2069"


def test_in_arabic_a_label_in_another_script_is_isolated_so_its_number_stays_in_front():
    root = arabic(make_bars)
    label = next(el for el in root.iter(f"{SVG}text") if "Digital" in "".join(el.itertext()))
    assert "".join(label.itertext()) == "\u20681. Digital transformation\u2069"
    assert "\u2068" not in str(make_bars())


def test_an_arabic_chart_says_it_is_written_right_to_left():
    assert arabic(make_bars).get("direction") == "rtl"
    assert parse(make_bars()).get("direction") is None


@pytest.mark.parametrize("narrow", [False, True])
def test_an_arabic_bar_chart_is_the_english_one_seen_in_a_mirror(narrow):
    width = charts.NARROW_WIDTH if narrow else charts.WIDTH
    english, mirrored = parse(make_bars(narrow=narrow)), arabic(make_bars, narrow=narrow)
    for ltr, rtl in zip(rects(english), rects(mirrored), strict=True):
        right_edge = width - float(ltr.get("x"))
        assert float(rtl.get("x")) + float(rtl.get("width")) == pytest.approx(right_edge, abs=0.01)
        assert rtl.get("y") == ltr.get("y")
    for ltr, rtl in zip(english.iter(f"{SVG}text"), mirrored.iter(f"{SVG}text"), strict=True):
        assert float(rtl.get("x")) == pytest.approx(width - float(ltr.get("x")), abs=0.01)
        # Anchors keep their meaning: "start" is where an Arabic reader starts, the right.
        assert rtl.get("text-anchor") == ltr.get("text-anchor")


def test_in_arabic_the_labels_are_on_the_right_and_the_bars_grow_leftwards():
    root = arabic(make_bars)
    label = first_text(root, "1. Digital transformation")
    bar = rects(root)[1]  # the first is the legend's swatch
    assert float(label.get("x")) > charts.WIDTH / 2
    assert label.get("text-anchor") == "start"
    assert float(bar.get("x")) + float(bar.get("width")) < float(label.get("x"))
    value = first_text(root, "12 %")
    assert float(value.get("x")) < float(bar.get("x"))  # written beyond the bar's end


def test_in_arabic_the_scale_runs_from_the_right():
    root = arabic(make_stacked)
    zero, hundred = first_text(root, "0 %"), first_text(root, "100 %")
    assert float(zero.get("x")) > float(hundred.get("x"))


def test_in_arabic_the_legend_reads_from_the_right():
    root = arabic(make_stacked)
    first, second = first_text(root, STATUS_NAMES[0]), first_text(root, STATUS_NAMES[1])
    assert float(first.get("x")) > float(second.get("x"))


def test_in_arabic_the_heatmap_starts_with_recommendation_1_on_the_right():
    root = arabic(make_heatmap)
    one, ten = first_text(root, "1"), first_text(root, "10")
    assert float(one.get("x")) > float(ten.get("x"))
    assert float(first_text(root, "AA").get("x")) > float(one.get("x"))


def test_a_mirrored_chart_never_mirrors_its_text():
    with translation.override("ar"):
        root = parse(
            charts.small_multiples(
                chart_id="trend",
                title="Trend",
                description="Trend.",
                categories=RECOMMENDATIONS[:3],
                years=["2024", "2025", "2026"],
                values=[[10, 20, 30], [None, 40, 50], [5, 5, 5]],
            )
        )
    # A transform (scale(-1, 1)) would mirror the glyphs too.
    assert not [el for el in root.iter() if el.get("transform")]
    # The oldest year is on the right, where an Arabic reader starts.
    assert float(first_text(root, "2024").get("x")) > float(first_text(root, "2026").get("x"))


def test_weasyprint_draws_an_arabic_chart_with_its_text_shaped():
    with translation.override("ar"):
        svg = charts.bars(
            chart_id="focus",
            title="معدل التركيز",
            description="Focus.",
            categories=["التحول الرقمي", "أمن المعلومات"],
            values=[40, 60],
        )
    html = f'<html lang="ar" dir="rtl"><body>{svg}</body></html>'
    text = pdf_text(render_pdf(html).content)
    # Shaped Arabic extracts as the words themselves (joined forms map back to the letters).
    assert "الرقمي" in text or "الرقمي"[::-1] in text


@pytest.mark.parametrize(
    ("written", "seen"),
    [
        ("1. التحول الرقمي", "التحول الرقمي .1"),
        ("يعمل نظام IPAS منذ 2020.", ".2020 منذ IPAS يعمل نظام"),
        ("منصة ST.26 (الويبو)", ")الويبو( ST.26 منصة"),
    ],
)
def test_for_print_right_to_left_text_is_written_in_the_order_it_is_seen(written, seen):
    # WeasyPrint's SVG text places runs in the order written, without the bidi algorithm.
    assert charts._visual_order(written) == seen


def test_only_a_mirrored_chart_for_print_reorders_its_text():
    categories = ["1. التحول الرقمي", "2. Digital transformation"]
    make = functools.partial(make_bars, categories=categories, values=[10, 20], highlight=set())
    with translation.override("ar"):
        web = str(make())
        with charts.drawn_for_print():
            printed = str(make())
    with charts.drawn_for_print():
        english = str(make())
    assert "<tspan>التحول الرقمي</tspan><tspan> .</tspan><tspan>1</tspan>" in printed
    assert ">2. Digital transformation<" in printed  # left to right: as written
    assert "\u20681. التحول الرقمي\u2069" in web  # a browser orders it itself
    assert ">1. التحول الرقمي<" in english
