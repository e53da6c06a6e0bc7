"""The portal's one SVG chart renderer, for the web dashboards and the PDF committee annex.

Every chart is a self-contained inline ``<svg>``: no JavaScript, no CSS, no external fonts or
files, only presentation attributes, so that browsers and WeasyPrint draw it alike. The SVG is
``width="100%"`` with a 720-unit wide ``viewBox``, so every chart has the same type scale on a
page. Output is deterministic: the same input always gives byte-identical SVG, so annexes built
from unchanged answers are identical.

Accessibility: the root is ``role="img"`` labelled by a ``<title>`` and a ``<desc>`` that the
caller supplies; every number is written as text (inside or beside its bar, or in its heatmap
cell, with the exact figure in a ``<title>`` tooltip as well), so a chart reads without colour;
the palettes are colour-blind safe and label colours are chosen per fill for contrast.

Right-to-left languages (Arabic): the drawing is mirrored, not the text. Every x coordinate is
taken from the other side of the chart (labels on the right, bars growing leftwards, the scale
running from the right, legends and heatmap columns ordered from the right) and the root says
``direction="rtl"``, so that ``text-anchor="start"`` anchors a text by its right end and each
text is laid out and shaped right to left. Nothing is flipped with a transform, which would
mirror the glyphs. The direction is the active language's when the chart is drawn: callers
that cache charts key them by language.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language_bidi, gettext

__all__ = [
    "ACCENT_COLOR",
    "BAR_COLOR",
    "MATURITY_COLORS",
    "STATUS_CELLS",
    "STATUS_COLORS",
    "STATUS_KEYS",
    "Cell",
    "Series",
    "bars",
    "contrast",
    "drawn_for_print",
    "heatmap",
    "heatmap_pages",
    "small_multiples",
    "stacked_bars",
]

# --- Palette ------------------------------------------------------------------------------------
# Ink and lines follow static/css/portal.css (--ink, --muted, --line, --wash).
INK = "#1b2430"
MUTED = "#5a6675"
LINE = "#d5dbe3"
WASH = "#f3f5f8"
WHITE = "#ffffff"
EMPTY_FILL = "#eceff3"

# Implementation status, in the order of the survey answer scale: Implemented, Ongoing
# implementation, Decision made to implement, Under consideration, Not planned, Not answered.
# Dark green to light green, amber, vermillion (Okabe–Ito), grey: lightness and hue both change
# from one step to the next, so neighbours stay apart with every kind of colour-blindness.
STATUS_COLORS: list[str] = [
    "#14613a",  # Implemented
    "#48a36a",  # Ongoing implementation
    "#a8d5a2",  # Decision made to implement
    "#f0c75e",  # Under consideration
    "#c4501b",  # Not planned
    "#b8bfc8",  # Not answered
]

# The stored status values, aligned with STATUS_COLORS ("" is "not answered").
STATUS_KEYS: tuple[str, ...] = (
    "implemented",
    "ongoing",
    "decided",
    "considering",
    "not_planned",
    "",
)

# Heatmap cell for each stored status value: (short text written in the cell, fill colour).
STATUS_CELLS: dict[str, tuple[str, str]] = {
    "implemented": ("I", STATUS_COLORS[0]),
    "ongoing": ("O", STATUS_COLORS[1]),
    "decided": ("D", STATUS_COLORS[2]),
    "considering": ("C", STATUS_COLORS[3]),
    "not_planned": ("N", STATUS_COLORS[4]),
    "": ("–", STATUS_COLORS[5]),
}

# Maturity levels 1-5: a sequential blue ramp ending in the portal's brand blue.
MATURITY_COLORS: dict[int, str] = {
    1: "#e1edf8",
    2: "#a9cbe8",
    3: "#5e9fd2",
    4: "#2a6fb0",
    5: "#0b4a8b",
}

# Plain bars and the accent for highlighted ones (blue and orange: safe for every colour
# vision, and far apart in lightness, so they differ in grey-scale print too).
BAR_COLOR = "#2a6fb0"
ACCENT_COLOR = "#e69f00"

# --- Geometry (viewBox units) ---------------------------------------------------------------
WIDTH = 720
PAD = 8
# The PDF stylesheet's own fonts first (the PDFs must not depend on the system's), then the
# reader's sans-serif on the web, where those names are unknown.
FONT = "Portal Sans, Portal Arabic, Portal Chinese, sans-serif"
LABEL_SIZE = 11
VALUE_SIZE = 10
SMALL_SIZE = 9
LABEL_CHARS = 32  # about what one line of the label column holds at LABEL_SIZE
LABEL_COLUMN = 212  # category labels wrap within this column, never cut
LINE_HEIGHT = 13  # between the lines of a wrapped label
NARROW_WIDTH = 360  # the phone layout: labels on their own lines above full-width bars
ROW = 26
BAR = 18
LEGEND_ROW = 18
SWATCH = 11
AXIS = 22
HEAT_ROW = 14
HEAT_HEADER = 18
MIN_INSIDE_SHARE = 0.06  # segments narrower than this share of the bar carry no text

_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


# --- Data ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One segment of every stacked bar: its legend name, one value per category, a colour.

    ``color`` is ``#rgb`` or ``#rrggbb``; None takes the next colour of STATUS_COLORS.
    """

    name: str
    values: list[float]
    color: str | None = None


@dataclass(frozen=True)
class Cell:
    """One heatmap cell: ``text`` is written in it ("3", "I"), ``color`` fills it (``#rrggbb``),
    ``label`` is its full meaning, shown as a tooltip ("Level 3 – Defined")."""

    text: str
    color: str
    label: str


# --- Direction ----------------------------------------------------------------------------------
# The width of the chart being drawn when it is mirrored (a right-to-left language), else None.
_MIRROR: ContextVar[float | None] = ContextVar("chart_mirror", default=None)


def _directed(draw):
    """Draws the chart mirrored when the active language is written right to left."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        width = NARROW_WIDTH if kwargs.get("narrow") else WIDTH
        token = _MIRROR.set(width if get_language_bidi() else None)
        try:
            return draw(*args, **kwargs)
        finally:
            _MIRROR.reset(token)

    return wrapper


# True while drawing charts for a PDF (see drawn_for_print).
_FOR_PRINT: ContextVar[bool] = ContextVar("chart_for_print", default=False)


@contextlib.contextmanager
def drawn_for_print():
    """Charts drawn inside are for WeasyPrint, whose SVG text shapes each run of one direction
    but places the runs in the order they are written, without the bidirectional algorithm:
    right-to-left text is written in the order it is seen instead (see _visual_order)."""
    token = _FOR_PRINT.set(True)
    try:
        yield
    finally:
        _FOR_PRINT.reset(token)


def _bidi_class(character: str) -> str:
    kind = unicodedata.bidirectional(character)
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "N"
    return "W"


def _visual_order(text: str) -> str:
    return "".join(_visual_runs(text))


def _visual_runs(text: str) -> list[str]:
    """``text``, whose first strong character is right to left, with its runs in the order
    they are seen from the left: a right-to-left run stays as written (the renderer shapes and
    turns it), a number or a left-to-right run too; the runs and the neutral characters
    between them are reversed. "1. التحول الرقمي" becomes "التحول الرقمي .1"."""
    runs: list[list] = []  # [class, characters]
    for character in text:
        kind = _bidi_class(character)
        if runs and runs[-1][0] == kind:
            runs[-1][1] += character
        else:
            runs.append([kind, character])
    # A number after left-to-right words belongs to them ("ST.26"); neutrals between two runs
    # of one direction belong to it ("IP Australia", "التحول الرقمي").
    strong = ""
    for run in runs:
        if run[0] == "N" and strong == "L":
            run[0] = "L"
        if run[0] in ("L", "R"):
            strong = run[0]
    for index in range(1, len(runs) - 1):
        before, run, after = runs[index - 1][0], runs[index], runs[index + 1][0]
        if run[0] == "W" and before == after and before in ("L", "R"):
            run[0] = before
    merged: list[list] = []
    for kind, characters in runs:
        if merged and merged[-1][0] == kind and kind != "W":
            merged[-1][1] += characters
        else:
            merged.append([kind, characters])
    return [
        characters[::-1] if kind == "W" else characters for kind, characters in reversed(merged)
    ]


def _shown(text: str) -> SafeString:
    """A text's content in the SVG, escaped. In a mirrored chart for print, a right-to-left
    text is written run by run in the order seen, each run its own ``<tspan>``: WeasyPrint
    shapes a run of Arabic rightly only as the first of its text."""
    if _MIRROR.get() is None or not _FOR_PRINT.get():
        return format_html("{}", text)
    first = next((_bidi_class(c) for c in text if _bidi_class(c) in ("L", "R")), "")
    if first != "R":
        return format_html("{}", text)
    return format_html_join("", "<tspan>{}</tspan>", ((run,) for run in _visual_runs(text)))


def _words(text: str) -> str:
    """A label of words, isolated in a mirrored chart (first strong character decides, as
    ``dir="auto"``): a label still in English on an Arabic page, the framework's text not
    translated yet, reads "1. Digital transformation", not "Digital transformation .1"."""
    if _MIRROR.get() is None or _FOR_PRINT.get() or not text:
        return text
    return f"\u2068{text}\u2069"


def _x(x: float, w: float = 0.0) -> str:
    """The coordinate of the left edge of something ``w`` wide whose left edge is at ``x`` in
    the left-to-right drawing, as written in the SVG."""
    width = _MIRROR.get()
    return _n(x if width is None else width - x - w)


# --- Public API ---------------------------------------------------------------------------------
@_directed
def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    percent: bool = True,
    narrow: bool = False,
) -> SafeString:
    """Horizontal stacked bars: one row per category, one segment per series, legend on top.

    The caller passes:
    - ``chart_id``: a slug unique in the page; the ids of the title and desc derive from it;
    - ``title`` and ``description``: the accessible name and a sentence summarising the chart;
    - ``categories``: the row labels in display order ("1. Digital transformation", ...);
      long labels wrap over as many lines as they need (the row grows), never cut;
    - ``series``: the segments in stacking order, each with one value per category; for the
      status distribution use STATUS_COLORS (the default colours, in that order);
    - ``percent``: True when the values are shares of respondents (0-100), which are written
      rounded half up to whole numbers on a 0-100 % scale; False for counts, on a scale that
      fits the longest bar.

    A segment shows its value inside when it is at least 6 % of the bar wide; every value is
    also in the segment's tooltip.

    ``narrow`` draws the same chart for a phone: 360 units wide, so that its text stays
    readable on a small screen, each label on its own lines above its bar.
    """
    ids = _ids(chart_id)
    width = NARROW_WIDTH if narrow else WIDTH
    if not categories:
        return _no_data(ids, title, description, width)
    if not series:
        raise ValueError("stacked_bars needs at least one series")
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError(
                f"series {item.name!r} has {len(item.values)} values "
                f"for {len(categories)} categories"
            )
        _check_values(item.values)
    colors = [
        _color(item.color) if item.color else STATUS_COLORS[i % len(STATUS_COLORS)]
        for i, item in enumerate(series)
    ]

    totals = [sum(item.values[row] for item in series) for row in range(len(categories))]
    decimals = 0 if percent else _auto_decimals(v for item in series for v in item.values)
    if percent:
        scale_max, ticks = 100.0, [0.0, 25.0, 50.0, 75.0, 100.0]
    else:
        scale_max, ticks = _nice_scale(max(totals), whole=decimals == 0)
    unit = "%" if percent else ""

    x0 = PAD if narrow else PAD + LABEL_COLUMN
    x1 = width - PAD - 12  # room for half of the last scale label ("100 %")
    span = x1 - x0
    names = [item.name for item in series]
    legend, legend_h = _legend(list(zip(names, colors, strict=True)), PAD, width)
    top = PAD + legend_h + 6
    layout = _rows(categories, top, width, narrow)
    bottom = layout[-1].bottom
    height = bottom + AXIS + PAD

    parts: list[str] = [legend]
    parts.append(_grid(ticks, scale_max, x0, span, top, bottom, unit))
    for row, (category, place) in enumerate(zip(categories, layout, strict=True)):
        bar_y = place.bar_y
        # A row's shares may add up to a little over 100 through rounding: never overflow.
        row_max = max(scale_max, totals[row]) if percent else scale_max
        parts.append(format_html("<g><title>{}</title>", category))
        parts.append(_label(place.lines, PAD, place.label_y))
        x = float(x0)
        for item, color in zip(series, colors, strict=True):
            value = item.values[row]
            if value <= 0:
                continue
            w = span * value / row_max
            text = _format(value, decimals, unit)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                    'stroke-width="0.75"><title>{}: {}</title></rect>',
                    _x(x, w),
                    _n(bar_y),
                    _n(w),
                    _n(BAR),
                    color,
                    WHITE,
                    item.name,
                    text,
                )
            )
            inside = _format(value, decimals, "")
            if value / row_max >= MIN_INSIDE_SHARE and _text_width(inside, VALUE_SIZE) + 4 <= w:
                parts.append(
                    _text(inside, x + w / 2, bar_y + BAR / 2, VALUE_SIZE, _on(color), "middle")
                )
            x += w
        parts.append(mark_safe("</g>"))
    return _svg(ids, title, description, height, parts, width)


@_directed
def bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    values: list[float],
    max_value: float = 100,
    unit: str = "%",
    highlight: set[int] | None = None,
    highlight_label: str | None = None,
    decimals: int | None = None,
    narrow: bool = False,
) -> SafeString:
    """Horizontal bars with the value written at the end of each bar ("67 %").

    The caller passes:
    - ``chart_id``, ``title``, ``description``: as for stacked_bars;
    - ``categories`` and ``values``: the row labels and one value (0 or more) per row;
    - ``max_value``: the value of a full-length bar (100 for shares, 5 for maturity levels);
      longer values are drawn full length, their text still gives the true value;
    - ``unit``: written after the number with a space ("%" → "67 %"); "" for none;
    - ``highlight``: indexes of the rows drawn in the accent colour and in bold (the priority
      signal); ``highlight_label`` ("Priority signal") adds a legend entry explaining them;
    - ``decimals``: decimals written; by default whole numbers for "%" (rounded half up as in
      the KPIs) and one decimal for other units when a value is not whole;
    - ``narrow``: the phone layout, as for stacked_bars.

    Labels wrap as in stacked_bars.
    """
    ids = _ids(chart_id)
    width = NARROW_WIDTH if narrow else WIDTH
    if not categories:
        return _no_data(ids, title, description, width)
    if len(values) != len(categories):
        raise ValueError(f"{len(values)} values for {len(categories)} categories")
    _check_values(values)
    if not (math.isfinite(max_value) and max_value > 0):
        raise ValueError("max_value must be a positive number")
    highlight = set(highlight or ())
    if decimals is None:
        decimals = 0 if unit == "%" else _auto_decimals(values)

    ticks = _ticks(max_value)
    x0 = PAD if narrow else PAD + LABEL_COLUMN
    value_room = max(_text_width(_format(v, decimals, unit), VALUE_SIZE) for v in values) + 10
    x1 = width - PAD - max(value_room, 40)
    span = x1 - x0

    parts: list[str] = []
    legend_h = 0
    if highlight and highlight_label:
        legend, legend_h = _legend([(highlight_label, ACCENT_COLOR)], PAD, width)
        parts.append(legend)
    top = PAD + legend_h + (6 if legend_h else 0)
    layout = _rows(categories, top, width, narrow)
    bottom = layout[-1].bottom
    height = bottom + AXIS + PAD

    parts.append(_grid(ticks, max_value, x0, span, top, bottom, unit))
    for row, (category, value, place) in enumerate(zip(categories, values, layout, strict=True)):
        bar_y = place.bar_y
        strong = row in highlight
        color = ACCENT_COLOR if strong else BAR_COLOR
        w = span * min(value, max_value) / max_value
        text = _format(value, decimals, unit)
        parts.append(format_html("<g><title>{}: {}</title>", category, text))
        parts.append(_label(place.lines, PAD, place.label_y, bold=strong))
        if w > 0:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _x(x0, w),
                    _n(bar_y),
                    _n(w),
                    _n(BAR),
                    color,
                )
            )
        parts.append(
            _text(text, x0 + w + 5, bar_y + BAR / 2, VALUE_SIZE, INK, "start", bold=strong)
        )
        parts.append(mark_safe("</g>"))
    return _svg(ids, title, description, height, parts, width)


@_directed
def heatmap(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: list[str],
    columns: list[str],
    cells: list[list[Cell | None]],
    legend: list[tuple[str, str]],
    column_names: list[str] | None = None,
    row_links: list[str] | None = None,
) -> SafeString:
    """A grid of coloured cells with their text: offices (rows) × recommendations (columns).

    The caller passes:
    - ``chart_id``, ``title``, ``description``: as for stacked_bars;
    - ``rows``: row labels (ST.3 codes, "AU"); ``columns``: column headers ("1" .. "10");
    - ``cells``: one list per row with one Cell per column; None draws an empty grey cell
      with "–" (no answer); for statuses build cells from STATUS_CELLS, for maturity levels
      from MATURITY_COLORS;
    - ``legend``: (label, colour) pairs shown above the grid ("I – Implemented", "#14613a");
    - ``column_names``: the full name of each column ("1. Digital transformation"), listed
      as a key under the grid and used in the headers' and cells' tooltips;
    - ``row_links``: one address per row; the row's label then links to it.

    A cell's tooltip reads "row, column name: cell label" (``Cell.label`` is only the
    meaning of the cell, "Implemented").

    Rows are 14 units high, so 200 offices stay legible on screen; for a PDF, where a drawing
    cannot break across pages, use heatmap_pages.
    """
    ids = _ids(chart_id)
    if not rows or not columns:
        return _no_data(ids, title, description)
    if len(cells) != len(rows):
        raise ValueError(f"{len(cells)} rows of cells for {len(rows)} rows")
    for label, row_cells in zip(rows, cells, strict=True):
        if len(row_cells) != len(columns):
            raise ValueError(f"row {label!r} has {len(row_cells)} cells for {len(columns)} columns")
    if column_names is not None and len(column_names) != len(columns):
        raise ValueError(f"{len(column_names)} column names for {len(columns)} columns")
    if row_links is not None and len(row_links) != len(rows):
        raise ValueError(f"{len(row_links)} row links for {len(rows)} rows")
    names = column_names or columns
    legend_items = [(label, _color(color)) for label, color in legend]

    label_w = min(max(max(_text_width(r, SMALL_SIZE) for r in rows) + 10, 40), 160)
    x0 = PAD + label_w
    cell_w = (WIDTH - PAD - x0) / len(columns)
    legend_svg, legend_h = _legend(legend_items, PAD)
    header_y = PAD + legend_h + (4 if legend_h else 0)
    top = header_y + HEAT_HEADER
    bottom = top + len(rows) * HEAT_ROW
    repeat_header = len(rows) > 30  # long grids repeat the column headers underneath
    key_top = bottom + (HEAT_HEADER if repeat_header else 0) + (6 if column_names else 0)
    key_lines = [_wrap(name, WIDTH - 2 * PAD, SMALL_SIZE) for name in (column_names or [])]
    height = key_top + sum(len(lines) for lines in key_lines) * (SMALL_SIZE + 3) + PAD

    no_answer = gettext("No answer")
    parts: list[str] = [legend_svg]
    parts.append(_column_headers(columns, x0, cell_w, header_y, names))
    for r, (row_label, row_cells) in enumerate(zip(rows, cells, strict=True)):
        y = top + r * HEAT_ROW
        parts.append(mark_safe("<g>"))
        label = _text(
            _fit(row_label, label_w - 8, SMALL_SIZE),
            PAD,
            y + HEAT_ROW / 2,
            SMALL_SIZE,
            INK,
            "start",
        )
        if row_links:
            label = format_html(
                '<a href="{}"><title>{}</title>{}</a>', row_links[r], row_label, label
            )
        parts.append(label)
        for c, (column, cell) in enumerate(zip(names, row_cells, strict=True)):
            x = x0 + c * cell_w
            fill = EMPTY_FILL if cell is None else _color(cell.color)
            text = "–" if cell is None else cell.text
            label = no_answer if cell is None else cell.label
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                    'stroke-width="1"><title>{}, {}: {}</title></rect>',
                    _x(x, cell_w),
                    _n(y),
                    _n(cell_w),
                    _n(HEAT_ROW),
                    fill,
                    WHITE,
                    row_label,
                    column,
                    label,
                )
            )
            ink = MUTED if cell is None else _on(fill)
            parts.append(
                _text(
                    _fit(text, cell_w - 4, SMALL_SIZE),
                    x + cell_w / 2,
                    y + HEAT_ROW / 2,
                    SMALL_SIZE,
                    ink,
                    "middle",
                )
            )
        parts.append(mark_safe("</g>"))
    if repeat_header:
        parts.append(_column_headers(columns, x0, cell_w, bottom, names))
    y = key_top
    for lines in key_lines:
        for line in lines:
            parts.append(
                _text(_words(line), PAD, y + (SMALL_SIZE + 3) / 2, SMALL_SIZE, INK, "start")
            )
            y += SMALL_SIZE + 3
    return _svg(ids, title, description, height, parts)


@_directed
def heatmap_pages(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: list[str],
    columns: list[str],
    cells: list[list[Cell | None]],
    legend: list[tuple[str, str]],
    rows_per_page: int = 50,
) -> list[SafeString]:
    """The heatmap cut into parts of at most ``rows_per_page`` rows, for a PDF.

    An SVG cannot break across pages, so a 200-office grid is drawn as several charts, each
    with its legend and headers. Parts are numbered in their title ("… (part 2 of 4)") and
    their ids ("CHART_ID-2"). Arguments are those of heatmap.
    """
    if rows_per_page < 1:
        raise ValueError("rows_per_page must be at least 1")
    if len(rows) <= rows_per_page:
        return [
            heatmap(
                chart_id=chart_id,
                title=title,
                description=description,
                rows=rows,
                columns=columns,
                cells=cells,
                legend=legend,
            )
        ]
    base = _ids(chart_id)
    starts = range(0, len(rows), rows_per_page)
    count = len(starts)
    parts = []
    for number, start in enumerate(starts, 1):
        end = start + rows_per_page
        part_title = gettext("%(title)s (part %(number)s of %(count)s)") % {
            "title": title,
            "number": number,
            "count": count,
        }
        parts.append(
            heatmap(
                chart_id=f"{base}-{number}",
                title=part_title,
                description=description,
                rows=rows[start:end],
                columns=columns,
                cells=cells[start:end],
                legend=legend,
            )
        )
    return parts


@_directed
def small_multiples(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    years: list[str],
    values: list[list[float | None]],
    max_value: float = 100,
    unit: str = "%",
    narrow: bool = False,
    boundaries: dict[int, str] | None = None,
) -> SafeString:
    """One small line chart per category, side by side: a figure over the years.

    The caller passes ``categories`` (a name per small chart, wrapped like bar labels),
    ``years`` (the x axis, oldest first) and ``values``: one list per category with one value
    per year, None where there is none (the line then breaks). Every point has its value
    written above it and in its tooltip. ``narrow``: one column, 360 units wide.
    ``boundaries`` (year index -> label): a dashed divider before that year, its label
    under the years (where a new framework version starts).
    """
    boundaries = {k: v for k, v in (boundaries or {}).items() if 0 < k < len(years)}
    ids = _ids(chart_id)
    width = NARROW_WIDTH if narrow else WIDTH
    if not categories or not years:
        return _no_data(ids, title, description, width)
    if len(values) != len(categories):
        raise ValueError(f"{len(values)} lines for {len(categories)} categories")
    for line in values:
        if len(line) != len(years):
            raise ValueError(f"{len(line)} values for {len(years)} years")
        _check_values(v for v in line if v is not None)
    columns = 1 if narrow else 2
    gap = 16
    cell_w = (width - 2 * PAD - gap * (columns - 1)) / columns
    plot_h = 64
    decimals = 0 if unit == "%" else 1
    parts: list[str] = []
    y = PAD
    for start in range(0, len(categories), columns):
        chunk = list(enumerate(categories[start : start + columns], start))
        wrapped = {i: _wrap(name, cell_w, LABEL_SIZE) for i, name in chunk}
        title_h = max(len(lines) for lines in wrapped.values()) * LINE_HEIGHT
        for column, (i, name) in enumerate(chunk):
            x_left = PAD + column * (cell_w + gap)
            parts.append(format_html("<g><title>{}</title>", name))
            parts.append(_label(wrapped[i], x_left, y + LINE_HEIGHT / 2, bold=True))
            top = y + title_h + 14  # room for the value written above a full-height point
            bottom = top + plot_h
            parts.append(
                format_html(
                    '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>',
                    _x(x_left),
                    _n(bottom),
                    _x(x_left + cell_w),
                    MUTED,
                )
            )
            step = (cell_w - 40) / max(len(years) - 1, 1)
            for k, label in sorted(boundaries.items()):
                xb = x_left + 20 + (k - 0.5) * step
                parts.append(
                    format_html(
                        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1" '
                        'stroke-dasharray="3 3"><title>{4}</title></line>',
                        _x(xb),
                        _n(top - 8),
                        _n(bottom + 4),
                        MUTED,
                        label,
                    )
                )
                parts.append(_text(label, xb, bottom + 22, SMALL_SIZE, MUTED, "middle"))
            points = []
            for k, (year, value) in enumerate(zip(years, values[i], strict=True)):
                x = x_left + 20 + k * step if len(years) > 1 else x_left + cell_w / 2
                parts.append(_text(year, x, bottom + 10, SMALL_SIZE, MUTED, "middle"))
                if value is None:
                    points.append(None)
                    continue
                py = bottom - plot_h * min(value, max_value) / max_value
                points.append((x, py))
                text = _format(value, decimals, unit)
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}, {}: {}</title>'
                        "</circle>",
                        _x(x),
                        _n(py),
                        BAR_COLOR,
                        name,
                        year,
                        text,
                    )
                )
                parts.append(_text(text, x, py - 8, SMALL_SIZE, INK, "middle"))
            for one, two in itertools.pairwise(points):
                if one and two:
                    parts.append(
                        format_html(
                            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>',
                            _x(one[0]),
                            _n(one[1]),
                            _x(two[0]),
                            _n(two[1]),
                            BAR_COLOR,
                        )
                    )
            parts.append(mark_safe("</g>"))
        y += title_h + 14 + plot_h + 22 + (14 if boundaries else 0)
    return _svg(ids, title, description, y + PAD, parts, width)


# --- Building blocks ----------------------------------------------------------------------------
def _ids(chart_id: str) -> str:
    """The chart's id slug; it starts with a letter, as an XML id must."""
    slug = slugify(chart_id or "")
    if not slug:
        raise ValueError(f"chart_id {chart_id!r} gives an empty slug")
    if not slug[0].isalpha():
        slug = f"chart-{slug}"
    return slug


def _svg(
    ids: str,
    title: str,
    description: str,
    height: float,
    parts: Iterable[str],
    width: int = WIDTH,
) -> SafeString:
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{0}" role="img" '
        'aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}" width="100%" '
        'font-family="{3}"{6}>\n<title id="{0}-title">{4}</title>\n<desc id="{0}-desc">{5}</desc>',
        ids,
        width,
        _n(height),
        FONT,
        title,
        description,
        mark_safe(' direction="rtl"') if _MIRROR.get() is not None else "",
    )
    body = "\n".join(str(p) for p in parts if p)
    return mark_safe(f"{head}\n{body}\n</svg>")  # noqa: S308 - every part is escaped


def _no_data(ids: str, title: str, description: str, width: int = WIDTH) -> SafeString:
    height = 48
    parts = [
        format_html(
            '<rect x="0.5" y="0.5" width="{}" height="{}" fill="{}" stroke="{}"/>',
            width - 1,
            height - 1,
            WASH,
            LINE,
        ),
        _text(gettext("No data"), width / 2, height / 2, LABEL_SIZE, MUTED, "middle"),
    ]
    return _svg(ids, title, description, height, parts, width)


def _text(
    text: str, x: float, y_middle: float, size: float, fill: str, anchor: str, *, bold=False
) -> SafeString:
    """A single line of text vertically centred on ``y_middle``.

    The baseline is placed by hand (dominant-baseline is not drawn alike everywhere).
    """
    return format_html(
        '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="{}"{}>{}</text>',
        _x(x),
        _n(y_middle + size * 0.35),
        _n(size),
        fill,
        anchor,
        mark_safe(' font-weight="bold"') if bold else "",
        _shown(text),
    )


@dataclass(frozen=True)
class _Row:
    """Where one category of a bar chart goes: its label's lines and the first line's middle,
    the top of its bar, and the bottom of the row."""

    lines: list[str]
    label_y: float
    bar_y: float
    bottom: float


def _rows(categories: list[str], top: float, width: int, narrow: bool) -> list[_Row]:
    """Rows as tall as their wrapped labels: beside the bar, or above it when narrow."""
    room = width - 2 * PAD if narrow else LABEL_COLUMN - 10
    result = []
    y = top
    for category in categories:
        lines = _wrap(category, room, LABEL_SIZE)
        text_h = len(lines) * LINE_HEIGHT
        if narrow:
            height = text_h + BAR + 8
            label_y = y + 4 + LINE_HEIGHT / 2
            bar_y = y + 4 + text_h
        else:
            height = max(ROW, text_h + 8)
            label_y = y + (height - text_h) / 2 + LINE_HEIGHT / 2
            bar_y = y + (height - BAR) / 2
        result.append(_Row(lines, label_y, bar_y, y + height))
        y += height
    return result


def _label(lines: list[str], x: float, y_middle: float, *, bold: bool = False) -> SafeString:
    """A label over one or more lines, the first centred on ``y_middle``."""
    lines = [_words(line) for line in lines]
    if len(lines) == 1:
        return _text(lines[0], x, y_middle, LABEL_SIZE, INK, "start", bold=bold)
    spans = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((_x(x), 0 if i == 0 else LINE_HEIGHT, _shown(line)) for i, line in enumerate(lines)),
    )
    return format_html(
        '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="start"{}>{}</text>',
        _x(x),
        _n(y_middle + LABEL_SIZE * 0.35),
        LABEL_SIZE,
        INK,
        mark_safe(' font-weight="bold"') if bold else "",
        spans,
    )


def _wrap(text: str, room: float, size: float) -> list[str]:
    """``text`` broken between words into lines that fit ``room`` units; a word longer than a
    line is broken inside it. Nothing is ever cut off."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _text_width(candidate, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _text_width(word, size) > room and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _text_width(word[:cut], size) > room:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


def _legend(
    items: Sequence[tuple[str, str]], x_start: float, width: int = WIDTH
) -> tuple[str, float]:
    """Swatches and names, wrapped over as many lines as needed; returns (svg, height)."""
    if not items:
        return "", 0
    parts = []
    x, y = x_start, PAD
    for name, color in items:
        w = SWATCH + 5 + _text_width(name, VALUE_SIZE)
        if x > x_start and x + w > width - PAD:
            x, y = x_start, y + LEGEND_ROW
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                'stroke-width="0.5"/>',
                _x(x, SWATCH),
                _n(y + (LEGEND_ROW - SWATCH) / 2 - 2),
                SWATCH,
                SWATCH,
                color,
                MUTED,
            )
        )
        parts.append(
            _text(_words(name), x + SWATCH + 5, y + LEGEND_ROW / 2 - 2, VALUE_SIZE, INK, "start")
        )
        x += w + 16
    height = y - PAD + LEGEND_ROW
    return "\n".join(str(p) for p in parts), height


def _grid(
    ticks: list[float],
    scale_max: float,
    x0: float,
    span: float,
    top: float,
    bottom: float,
    unit: str,
) -> SafeString:
    """Light vertical grid lines behind the bars and the scale underneath."""
    decimals = _auto_decimals(ticks)
    parts = []
    for tick in ticks:
        x = x0 + span * tick / scale_max
        parts.append(
            format_html(
                '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="{4}"/>',
                _x(x),
                _n(top),
                _n(bottom + 3),
                LINE if tick else MUTED,
                "0.75" if tick else "1",
            )
        )
        parts.append(
            _text(_format(tick, decimals, unit), x, bottom + 12, SMALL_SIZE, MUTED, "middle")
        )
    return mark_safe("\n".join(str(p) for p in parts))  # noqa: S308 - every part is escaped


def _column_headers(
    columns: list[str], x0: float, cell_w: float, y: float, names: list[str]
) -> SafeString:
    parts = [
        format_html(
            "<g><title>{}</title>{}</g>",
            name,
            _text(
                _fit(column, cell_w - 2, SMALL_SIZE),
                x0 + (c + 0.5) * cell_w,
                y + HEAT_HEADER / 2,
                SMALL_SIZE,
                INK,
                "middle",
                bold=True,
            ),
        )
        for c, (column, name) in enumerate(zip(columns, names, strict=True))
    ]
    return mark_safe("\n".join(str(p) for p in parts))  # noqa: S308 - every part is escaped


# --- Numbers, colours, text -----------------------------------------------------------------
def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check_values(values: Iterable[float]) -> None:
    for value in values:
        if not isinstance(value, int | float | Decimal) or not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        if value < 0:
            raise ValueError(f"negative value: {value!r}")


def _auto_decimals(values: Iterable[float]) -> int:
    return 0 if all(float(v).is_integer() for v in values) else 1


def _format(value: float, decimals: int, unit: str) -> str:
    """The value rounded half up (as the KPIs are), in the active language, with its unit."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    number = number_format(rounded, decimal_pos=decimals)
    return f"{number} {unit}" if unit else number


def _ticks(max_value: float) -> list[float]:
    """About five round steps from 0 to max_value (which is always the last tick)."""
    if max_value == 100:
        return [0, 25, 50, 75, 100]
    step = _nice_step(max_value / 6)
    ticks = [step * i for i in range(int(max_value / step + 1e-9) + 1)]
    if not math.isclose(ticks[-1], max_value):
        ticks.append(max_value)
        if (ticks[-1] - ticks[-2]) < step / 2:
            del ticks[-2]
    return [float(_n(t)) for t in ticks]


def _nice_scale(largest: float, *, whole: bool = False) -> tuple[float, list[float]]:
    """A round scale maximum at or above ``largest``, and its ticks (whole steps if asked)."""
    if largest <= 0:
        return 1.0, [0.0, 1.0]
    step = _nice_step(largest / 6)
    if whole:
        step = max(step, 1)
    top = step * math.ceil(largest / step - 1e-9)
    return top, [float(_n(step * i)) for i in range(round(top / step) + 1)]


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw - 1e-12:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def _color(value: str) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        raise ValueError(f"colour must be #rgb or #rrggbb, not {value!r}")
    value = value.lower()
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value


def _luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_luminance(_color(a)), _luminance(_color(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _on(fill: str) -> str:
    """White or dark ink, whichever contrasts more with ``fill``."""
    return WHITE if contrast(fill, WHITE) >= contrast(fill, INK) else INK


_NARROW = set("iljftrI.,:;'!|()[]{} -1")
_WIDE = set("mwMWOQDGHNU@%")


def _text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of ``text`` in a common sans-serif (Noto, DejaVu)."""
    units = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            units += 1.0  # a Chinese character, or full-width punctuation, is a full em
        elif ch in _NARROW:
            units += 0.32
        elif ch in _WIDE:
            units += 0.84
        elif ch.isupper() or ch.isdigit():
            units += 0.64
        else:
            units += 0.56
    return units * size


def _fit(text: str, room: float, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` units."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"
