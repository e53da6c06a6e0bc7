"""Turns a KPI snapshot into the dashboard's panels: a chart and the table behind it."""

import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _

from assessments.models import Answer, Assessment
from assessments.selectors import framework_texts
from assessments.submissions import submitted_answers
from kpi import charts
from kpi.engine import STATUSES, UNANSWERED, percent
from kpi.privacy import MIN_GROUP
from portal.cache import kept
from portal.languages import text_list
from portal.offices.models import OfficeType, Region
from portal.prepared import Prepared
from portal.templatetags.written_text import isolated

STATUS_LABELS = {value: label for value, label in Answer.Status.choices}


@dataclass
class Panel:
    id: str
    title: str
    svg: str
    headers: list[str]
    rows: list[list]
    note: str = ""
    highlights: set = field(default_factory=set)
    # The same chart laid out for a phone (the page shows one or the other by its width).
    svg_narrow: str = ""
    # Nothing to show but the note (which says why).
    empty: bool = False


def _both(draw, **kwargs) -> dict:
    """A chart in its wide and narrow layouts, as Panel arguments."""
    return {
        "svg": draw(**kwargs),
        "svg_narrow": draw(**{**kwargs, "chart_id": f"{kwargs['chart_id']}-narrow"}, narrow=True),
    }


def flag_titles() -> dict:
    return {
        "focus": (
            _("Current focus (Q4)"),
            _("Share of responding offices for which the recommendation is a focus"),
        ),
        "low_priority": (
            _("Low priority (Q5)"),
            _("Share of responding offices for which it is a low priority"),
        ),
        "challenge": (
            _("Big implementation challenge (Q6)"),
            _("Share of responding offices for which it is a big challenge"),
        ),
        "discuss": (
            _("To discuss at future meetings (Q8)"),
            _("Share of responding offices that want it discussed or demonstrated"),
        ),
    }


def panels(group: dict, recommendations, *, attainment: bool = False) -> list[Panel]:
    """The charts of a group's figures; ``attainment`` adds the targets reached and the
    actions done by their due date (the dashboard's and the annex's)."""
    titles = {r.number: f"{r.number}. {r.short_title}" for r in recommendations}
    entries = group["recommendations"]
    categories = [titles.get(entry["number"], str(entry["number"])) for entry in entries]
    signalled = {index for index, entry in enumerate(entries) if entry["priority_signal"]}
    # Every chart says how many offices it rests on, in its accessible description too.
    basis = " " + ngettext(
        "Based on %(count)s responding office.",
        "Based on %(count)s responding offices.",
        group["respondents"],
    ) % {"count": group["respondents"]}
    result = []

    status_keys = [*STATUSES, UNANSWERED]
    # Plain text, not lazy labels: the panels are kept in the cache, and a lazy label costs
    # far more to read back from it than its text.
    status_names = [*(str(STATUS_LABELS[key]) for key in STATUSES), _("Not answered")]
    result.append(
        Panel(
            id="status",
            title=_("Implementation status (Q2)"),
            **_both(
                charts.stacked_bars,
                chart_id="status",
                title=_("Implementation status (Q2)"),
                description=_(
                    "For each recommendation, the share of responding offices at each "
                    "implementation status."
                )
                + basis,
                categories=categories,
                series=[
                    charts.Series(
                        name=str(name), values=[e["status"][key]["percent"] for e in entries]
                    )
                    for key, name in zip(status_keys, status_names, strict=True)
                ],
            ),
            headers=[_("Recommendation"), *status_names, _("Adoption"), _("Commitment")],
            rows=[
                [
                    categories[i],
                    *(_cell(e["status"][key]) for key in status_keys),
                    _cell(e["adoption"]),
                    _cell(e["commitment"]),
                ]
                for i, e in enumerate(entries)
            ],
            note=_("Adoption: implemented or ongoing. Commitment: adoption or decision made."),
        )
    )

    for flag, (title, description) in flag_titles().items():
        highlight = signalled if flag in ("focus", "challenge", "discuss") else set()
        result.append(
            Panel(
                id=flag,
                title=title,
                **_both(
                    charts.bars,
                    chart_id=flag,
                    title=title,
                    description=description + "." + basis,
                    categories=categories,
                    values=[e[flag]["percent"] for e in entries],
                    highlight=highlight,
                    highlight_label=_("Priority signal") if highlight else None,
                ),
                headers=[_("Recommendation"), _("Offices"), _("Share"), _("Not asked")],
                rows=[
                    [
                        categories[i],
                        e[flag]["count"],
                        f"{e[flag]['percent']} %",
                        e["unanswered"][flag]["count"],
                    ]
                    for i, e in enumerate(entries)
                ],
                note=_("%(percent)s %% of responding offices selected none.")
                % {"percent": group["none_selected"][flag]["percent"]},
                highlights=highlight,
            )
        )

    respondents = group["respondents"]
    level_names = [_("Level %(level)s") % {"level": level} for level in range(1, 6)]
    result.append(
        Panel(
            id="maturity",
            title=_("Maturity"),
            **_both(
                charts.stacked_bars,
                chart_id="maturity",
                title=_("Current maturity level"),
                description=_(
                    "For each recommendation, the share of responding offices at each "
                    "current maturity level, from 1 to 5."
                )
                + basis,
                categories=categories,
                series=[
                    *(
                        charts.Series(
                            name=name,
                            values=[
                                percent(e["maturity"]["distribution"][str(level)], respondents)
                                for e in entries
                            ],
                            color=charts.MATURITY_COLORS[level],
                        )
                        for level, name in zip(range(1, 6), level_names, strict=True)
                    ),
                    charts.Series(
                        name=_("Not answered"),
                        values=[e["unanswered"]["maturity"]["percent"] for e in entries],
                        color=charts.STATUS_COLORS[-1],
                    ),
                ],
            ),
            headers=[
                _("Recommendation"),
                _("Mean"),
                _("Median"),
                *level_names,
                _("Not answered"),
                _("Mean target"),
                _("Mean target gap"),
            ],
            rows=[
                [
                    categories[i],
                    e["maturity"]["mean"],
                    e["maturity"]["median"],
                    *(e["maturity"]["distribution"][str(level)] for level in range(1, 6)),
                    e["unanswered"]["maturity"]["count"],
                    e.get("target", {}).get("mean"),
                    e["target_gap"]["mean"],
                ]
                for i, e in enumerate(entries)
            ],
        )
    )
    # The target beside the current level: two bars per recommendation.
    paired, values = [], []
    for category, e in zip(categories, entries, strict=True):
        paired += [category, "\u2003" + _("target")]
        values += [e["maturity"]["mean"] or 0, e.get("target", {}).get("mean") or 0]
    result.append(
        Panel(
            id="target",
            title=_("Current and target level"),
            **_both(
                charts.bars,
                chart_id="target",
                title=_("Mean current and target maturity level"),
                description=_(
                    "For each recommendation, the mean current maturity level (1 to 5) of "
                    "the responding offices, followed by the mean level they aim for."
                )
                + basis,
                categories=paired,
                values=values,
                max_value=5,
                unit="",
                decimals=1,
                highlight=set(range(1, len(paired), 2)),
                highlight_label=_("Target level"),
            ),
            headers=[_("Recommendation"), _("Mean current level"), _("Mean target")],
            rows=[
                [categories[i], e["maturity"]["mean"], e.get("target", {}).get("mean")]
                for i, e in enumerate(entries)
            ],
        )
    )
    attained = attainment_panel(group, categories) if attainment else None
    if attained is not None:
        result.append(attained)
    return result


NOT_MEASURED = {"count": 0, "of": 0, "percent": None}


def _counted(figure: dict) -> str:
    return _("%(count)s of %(of)s") % {"count": figure["count"], "of": figure["of"]}


def _unbroken(text: str) -> str:
    """``text`` kept on one line when a chart wraps its label: a count split over two lines
    ("2 of" / "14)") reads badly, and in right-to-left text its bracket lands on the wrong
    side of the lone line."""
    return text.replace(" ", "\u00a0")


def _percent_cell(figure: dict) -> str | None:
    return None if figure["percent"] is None else f"{figure['percent']} %"


def _attainment_note(group: dict) -> str:
    overall = group.get("target_attainment") or NOT_MEASURED
    against = group.get("target_attainment_basis") or {}
    if against.get("previous_year") is None:
        return _("There is no earlier cycle with submissions: no target to measure yet.")
    if not against.get("comparable"):
        return _(
            "The %(year)s cycle used framework version %(version)s, which this version does "
            "not derive from: no crosswalk maps its targets, so none is measured."
        ) % {
            "year": against["previous_year"],
            "version": isolated(against["previous_framework"]),
        }
    if against.get("through_crosswalk"):
        return _(
            "Targets set in %(year)s under framework version %(old)s, carried to version "
            "%(new)s through the crosswalk (a merged recommendation takes the lowest target "
            "and the lowest level of its parts), reached or passed by the office’s level in "
            "%(now)s; offices that did not answer this cycle, or gave no level, are not "
            "counted. In all: %(count)s of %(of)s."
        ) % {
            "year": against["previous_year"],
            "old": isolated(against["crosswalk"]["from_framework"]),
            "new": isolated(against["crosswalk"]["to_framework"]),
            "now": group.get("year", ""),
            "count": overall["count"],
            "of": overall["of"],
        }
    if not overall["of"]:
        return _(
            "No office that set a target above its level in %(year)s gave a level in "
            "%(now)s: no target could be measured."
        ) % {"year": against["previous_year"], "now": group.get("year", "")}
    return _(
        "Targets set in %(year)s above the office’s level then, reached or passed by its "
        "level in %(now)s; offices that did not answer this cycle, or gave no level, are "
        "not counted. In all: %(count)s of %(of)s."
    ) % {
        "year": against["previous_year"],
        "now": group.get("year", ""),
        "count": overall["count"],
        "of": overall["of"],
    }


def _actions_note(group: dict) -> str:
    if group.get("actions_done_by_due_date") is None:
        return ""  # a document computed before the figure existed
    overall = group["actions_done_by_due_date"]
    basis = group.get("actions_done_by_due_date_basis") or {}
    as_of = basis.get("as_of")
    day = date_format(datetime.date.fromisoformat(as_of), "DATE_FORMAT") if as_of else ""
    if not overall["of"]:
        return _(
            "No action of an office’s roadmap due in %(year)s was done or past its due date "
            "on %(date)s: there is no share of actions done by their due date yet."
        ) % {"year": basis.get("year", group.get("year", "")), "date": day}
    return _(
        "Actions of the offices’ roadmaps due in %(year)s, as on %(date)s: those done on or "
        "before their due date, of those done or past their due date (dropped actions and "
        "actions not yet due are not counted). In all: %(count)s of %(of)s."
    ) % {
        "year": basis.get("year", group.get("year", "")),
        "date": day,
        "count": overall["count"],
        "of": overall["of"],
    }


def attainment_panel(group: dict, categories: list[str]) -> Panel | None:
    """Targets reached, and beside them the share of the roadmaps' actions done by their due
    date: only over all respondents (neither is broken down by group), and only in documents
    computed since they exist. ``empty``: nothing is measured either way, and the note says
    why (a reader is shown the sentence rather than a table of zeros)."""
    if group.get("target_attainment") is None and group.get("actions_done_by_due_date") is None:
        return None
    entries = group["recommendations"]
    targets = [e.get("target_attainment") or NOT_MEASURED for e in entries]
    actions = [e.get("actions_done_by_due_date") or NOT_MEASURED for e in entries]
    overall_targets = group.get("target_attainment") or NOT_MEASURED
    overall_actions = group.get("actions_done_by_due_date") or NOT_MEASURED
    title = _("Targets reached and actions done by their due date")
    note = " ".join(part for part in (_attainment_note(group), _actions_note(group)) if part)
    # "n of m" in the labels: a bar of 0 % over nothing counted must not read as all missed.
    labels, values, highlight = [], [], set()
    both = bool(overall_targets["of"]) and bool(overall_actions["of"])
    for category, target, action in zip(categories, targets, actions, strict=True):
        if overall_targets["of"]:
            labels.append(f"{category} ({_unbroken(_counted(target))})")
            values.append(target["percent"] or 0)
        if overall_actions["of"]:
            if both:
                if not action["of"]:
                    continue  # no action counted here: the table says "0 of 0"
                highlight.add(len(labels))
                labels.append("\u2003" + _("actions") + f" ({_unbroken(_counted(action))})")
            else:
                labels.append(f"{category} ({_unbroken(_counted(action))})")
            values.append(action["percent"] or 0)
    drawn = (
        _both(
            charts.bars,
            chart_id="attainment-chart",
            title=title,
            description=_(
                "For each recommendation, the share of the targets set in the previous cycle "
                "above the office’s level that its level in this cycle reached."
            )
            + " "
            + _(
                "Beside it, the share of the roadmaps’ actions due in the cycle’s year that "
                "were done by their due date."
            )
            + " "
            + note,
            categories=labels,
            values=values,
            highlight=highlight,
            highlight_label=_("Actions done by their due date") if highlight else None,
        )
        if labels
        else {"svg": ""}
    )
    return Panel(
        id="attainment",
        title=title,
        **drawn,
        headers=[
            _("Recommendation"),
            _("Targets reached"),
            _("Share"),
            _("Actions done by their due date"),
            _("Share"),
        ],
        rows=[
            [
                categories[i],
                _counted(targets[i]),
                _percent_cell(targets[i]),
                _counted(actions[i]),
                _percent_cell(actions[i]),
            ]
            for i in range(len(entries))
        ]
        + [
            [
                _("All recommendations"),
                _counted(overall_targets),
                _percent_cell(overall_targets),
                _counted(overall_actions),
                _percent_cell(overall_actions),
            ]
        ],
        note=note,
        empty=not labels,
    )


def _cell(value: dict) -> str:
    return f"{value['count']} ({value['percent']} %)"


def crosswalk_marks(crosswalk: dict | None) -> dict[int, str]:
    """What the mark of a figure compared through the crosswalk says, by new number: a
    merge, a split or a renumbering (a recommendation that stayed itself has no mark)."""
    if not crosswalk:
        return {}
    version = isolated(crosswalk["from_framework"])
    marks = {}
    for entry in crosswalk["recommendations"]:
        number, relation, previous = entry["number"], entry["relation"], entry["previous"]
        if relation == "merged":
            marks[number] = _(
                "Compared through the crosswalk: merged from %(numbers)s of %(version)s"
            ) % {"numbers": text_list(previous), "version": version}
        elif relation == "split":
            marks[number] = _(
                "Compared through the crosswalk: split from %(number)s of %(version)s"
            ) % {"number": previous[0], "version": version}
        elif relation == "same" and previous != [number]:
            marks[number] = _("Compared through the crosswalk: %(number)s of %(version)s") % {
                "number": previous[0],
                "version": version,
            }
    return marks


def trend_rows(document: dict, recommendations) -> list[dict]:
    """A row per recommendation of the table of changes; one compared through the
    crosswalk carries what its mark says, a new one says it has nothing to compare with."""
    trend = document.get("trend")
    if not trend:
        return []
    titles = {r.number: f"{r.number}. {r.short_title}" for r in recommendations}
    overall = {entry["number"]: entry for entry in trend["overall"]["recommendations"]}
    panel = {entry["number"]: entry for entry in trend["panel"]["recommendations"]}
    marks = crosswalk_marks(trend.get("crosswalk"))
    new = set(trend.get("new") or ())
    numbers = [r.number for r in recommendations if r.number in overall or r.number in new]
    numbers += [number for number in overall if number not in numbers]
    return [
        {
            "title": titles.get(number, number),
            "overall": overall.get(number),
            "panel": panel.get(number),
            "crosswalk": marks.get(number, ""),
            "new": number in new,
        }
        for number in numbers
    ]


def trend_crossing(document: dict) -> dict | None:
    """The two framework versions a trend crosses, or None within one version."""
    crosswalk = (document.get("trend") or {}).get("crosswalk")
    if not crosswalk:
        return None
    return {
        "old": crosswalk["from_framework"],
        "new": crosswalk["to_framework"],
        "composed": crosswalk.get("composed", False),
    }


def _stamp(snapshot) -> str:
    """What a snapshot's drawings are keyed by: its answers, when it was computed (a
    recomputation draws afresh) and its framework's wording (the names drawn). A key that
    changes with all a drawing is made of lets the drawing be kept in the process too."""
    return (
        f"{snapshot.cycle_id}:{snapshot.answers_hash}:{snapshot.computed_at.isoformat()}"
        f":{snapshot.cycle.framework.stamp}"
    )


def _kept_drawing(
    name: str, snapshot, parts: tuple, draw, *, keep: bool = True, in_process: bool = False
):
    """``draw()``, kept in the cache per snapshot, the blocks' templates, ``parts`` and
    language; drawn for this request only when not ``keep`` (a search). Only what a request
    reads whole (the page) is kept in the process too (``in_process``): its parts are read
    from the cache only to draw a page not kept yet, and would crowd out of the process's
    few entries what the forms read on every request."""
    if not keep:
        return draw()
    key = ":".join(
        str(part)
        for part in (
            name,
            _blocks_version(),
            _stamp(snapshot),
            *parts,
            get_language(),
            "rtl" if get_language_bidi() else "ltr",
        )
    )
    return kept(key, CHARTS_TIMEOUT, draw) if in_process else _cached(key, draw)


def _cached(key: str, draw):
    found = cache.get(key)
    if found is None:
        found = draw()
        cache.set(key, found, CHARTS_TIMEOUT)
    return found


def heatmap_grid(cycle, *, region: str, office_type: str, recommendations) -> list[tuple]:
    """Every responding office of the group with its answers as last submitted: (code, name,
    statuses, levels), one status and level per recommendation, in the order of the codes."""
    assessments = Assessment.objects.filter(cycle=cycle)
    if region:
        assessments = assessments.filter(office__region=region)
    if office_type:
        assessments = assessments.filter(office__office_type=office_type)
    grid: dict[str, dict[int, tuple]] = {}
    names: dict[str, str] = {}
    for answer in submitted_answers(assessments):
        office = answer.assessment.office
        names[office.code] = office.name
        grid.setdefault(office.code, {})[answer.recommendation.number] = (
            answer.status,
            answer.maturity_current,
        )
    numbers = [r.number for r in recommendations]
    rows = []
    for code, answers in grid.items():
        found = [answers.get(number, ("", None)) for number in numbers]
        rows.append(
            (
                code,
                names[code],
                tuple(status for status, _level in found),
                tuple(level for _status, level in found),
            )
        )
    return rows


def _cells(rows: list[tuple], mode: str) -> list[list]:
    # One cell per distinct value, shared by every row: building them is the same work
    # whatever the number of offices.
    if mode == "maturity":
        made = {
            level: charts.Cell(
                text=str(level),
                color=charts.MATURITY_COLORS[level],
                label=_("level %(level)s") % {"level": level},
            )
            for level in range(1, 6)
        }
        return [[made.get(level) for level in levels] for _code, _name, _statuses, levels in rows]
    made = {}
    for status, (text, color) in charts.STATUS_CELLS.items():
        made[status] = charts.Cell(
            text=text, color=color, label=STATUS_LABELS.get(status, _("Not answered"))
        )
    return [[made[status] for status in statuses] for _code, _name, statuses, _levels in rows]


def _draw_heatmap(rows: list[tuple], *, mode: str, recommendations, link=None):
    if mode == "maturity":
        legend = [(str(level), charts.MATURITY_COLORS[level]) for level in range(1, 6)]
        title = _("Current maturity level by office")
    else:
        legend = [
            (
                f"{charts.STATUS_CELLS[key][0]} {STATUS_LABELS.get(key, _('Not answered'))}",
                charts.STATUS_CELLS[key][1],
            )
            for key in [*STATUSES, ""]
        ]
        title = _("Implementation status by office")
    codes = [row[0] for row in rows]
    return charts.heatmap(
        chart_id=f"heatmap-{mode}",
        title=title,
        description=_(
            "Each row is a responding office by its ST.3 code, each column a recommendation."
        ),
        rows=codes,
        columns=[str(r.number) for r in recommendations],
        column_names=[f"{r.number}. {r.short_title}" for r in recommendations],
        row_links=[link(code) for code in codes] if link else None,
        cells=_cells(rows, mode),
        legend=legend,
    )


def heatmap(cycle, *, mode: str, region: str, office_type: str, recommendations, link=None) -> str:
    """Offices × recommendations, from the answers as last submitted: every office at once
    (the dashboard shows it a page at a time, ``heatmap_page``)."""
    rows = heatmap_grid(
        cycle, region=region, office_type=office_type, recommendations=recommendations
    )
    return _draw_heatmap(rows, mode=mode, recommendations=recommendations, link=link)


# Offices per page of the dashboard's heatmap: what one screen reads, and a bound on what a
# request draws and sends whatever the number of offices.
HEATMAP_PAGE = 50
HEATMAP_SORTS = ("code", "name", "adoption", "maturity")
ADOPTED = {"implemented", "ongoing"}


def _sorted(rows: list[tuple], sort: str) -> list[tuple]:
    if sort == "name":
        return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))
    if sort == "adoption":  # the most advanced first
        return sorted(rows, key=lambda row: (-sum(s in ADOPTED for s in row[2]), row[0]))
    if sort == "maturity":
        return sorted(rows, key=lambda row: (-sum(level or 0 for level in row[3]), row[0]))
    return rows  # by code, as read


def _grid_cached(snapshot, *, region: str, office_type: str, recommendations) -> list[tuple]:
    key = f"kpi-grid:{CHARTS_VERSION}:{_stamp(snapshot)}:{region}:{office_type}"
    found = cache.get(key)
    if found is None:
        found = heatmap_grid(
            snapshot.cycle,
            region=region,
            office_type=office_type,
            recommendations=recommendations,
        )
        cache.set(key, found, CHARTS_TIMEOUT)
    return found


def heatmap_page(
    snapshot,
    *,
    region: str,
    office_type: str,
    mode: str,
    search: str,
    sort: str,
    page: int,
    recommendations,
    link,
) -> str:
    """One page of the heatmap, in its wide (SVG) and narrow (a card per office) layouts,
    with the links to the other pages: the whole block of HTML, ready to be sent.

    Without a search, the block is kept per snapshot, filter, mode, sort, page and language:
    a dashboard request then reads one bounded block whatever the number of offices. The
    grid of every office is read (and kept) only to draw a page not drawn yet, or to search.
    """
    return _kept_drawing(
        "kpi-heatmap",
        snapshot,
        (region, office_type, mode, sort, page),
        functools.partial(
            _heatmap_page,
            snapshot,
            region=region,
            office_type=office_type,
            mode=mode,
            search=search,
            sort=sort,
            page=page,
            recommendations=recommendations,
            link=link,
        ),
        keep=not search,
    )


def _heatmap_page(
    snapshot, *, region, office_type, mode, search, sort, page, recommendations, link
) -> str:
    rows = _grid_cached(
        snapshot, region=region, office_type=office_type, recommendations=recommendations
    )
    total = len(rows)
    if search:
        needle = search.casefold()
        rows = [row for row in rows if needle in row[0].casefold() or needle in row[1].casefold()]
    rows = _sorted(rows, sort)
    pages = max(1, -(-len(rows) // HEATMAP_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * HEATMAP_PAGE
    shown = rows[start : start + HEATMAP_PAGE]
    numbers = [r.number for r in recommendations]
    names = [f"{r.number}. {r.short_title}" for r in recommendations]
    status_cells = {
        status: (text, STATUS_LABELS.get(status, _("Not answered")))
        for status, (text, _color) in charts.STATUS_CELLS.items()
    }
    cards = []
    for code, name, statuses, levels in shown:
        if mode == "maturity":
            cells = [
                {
                    "number": number,
                    "name": title,
                    "text": str(level) if level else "–",
                    "label": (_("level %(level)s") % {"level": level}) if level else _("No answer"),
                    "css": f"heat-level-{level}" if level else "heat-empty",
                }
                for number, title, level in zip(numbers, names, levels, strict=True)
            ]
        else:
            cells = [
                {
                    "number": number,
                    "name": title,
                    "text": status_cells[status][0],
                    "label": status_cells[status][1],
                    "css": f"heat-{status or 'none'}",
                }
                for number, title, status in zip(numbers, names, statuses, strict=True)
            ]
        cards.append({"code": code, "name": name, "link": link(code), "cells": cells})

    def page_link(number, *, view=mode, find=search):
        """An address of the heatmap that keeps the filters, the search and the order."""
        parts = (
            ("region", region),
            ("type", office_type),
            ("heatmap", view),
            ("office", find),
            ("order", sort if sort != "code" else ""),
            ("page", number if number > 1 else ""),
        )
        return "?" + urlencode([(k, v) for k, v in parts if v]) + "#heatmap"

    context = {
        "svg": _draw_heatmap(shown, mode=mode, recommendations=recommendations, link=link)
        if shown
        else "",
        "cards": cards,
        "mode": mode,
        "legend": [
            {"text": text, "label": label, "css": f"heat-{status or 'none'}"}
            for status, (text, label) in status_cells.items()
        ]
        if mode != "maturity"
        else [
            {
                "text": str(level),
                "label": _("level %(level)s") % {"level": level},
                "css": f"heat-level-{level}",
            }
            for level in range(1, 6)
        ],
        "total": total,
        "found": len(rows),
        "first": start + 1,
        "last": start + len(shown),
        "page": page,
        "pages": pages,
        "previous": page_link(page - 1) if page > 1 else "",
        "next": page_link(page + 1) if page < pages else "",
        "page_links": [
            None
            if number is None
            else {"number": number, "url": page_link(number), "current": number == page}
            for number in _page_numbers(page, pages)
        ],
        # The other view shows the same offices: same page, same search, same order.
        "switch": {view: page_link(page, view=view) for view in ("status", "maturity")},
        "cleared": page_link(1, find=""),
        "search": search,
        "sort": sort,
        "sorts": [
            ("code", _("Office code")),
            ("name", _("Office name")),
            ("adoption", _("Most adopted first")),
            ("maturity", _("Highest maturity first")),
        ],
        "region": region,
        "office_type": office_type,
    }
    return render_to_string("kpi/_heatmap.html", context)


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """The first, the last and the pages around the current one; None for a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def page(
    snapshot,
    *,
    marks: list[tuple],
    region: str,
    office_type: str,
    mode: str,
    years_metric: str,
    search: str,
    sort: str,
    page: int,
) -> dict:
    """The dashboard's content (head, filters, figures and heatmap) as one block of HTML:
    ``html``, and ``blocks``, the parts of it that are the same for every request that draws
    it (portal.compression.mark).

    Without a search it is kept per snapshot, set of snapshots (``snapshot_marks()``: the
    year tabs and the multi-year view), filter, view and language, in the cache and in the
    process: a request that finds it makes two small reads and one dictionary lookup,
    whatever the number of offices. It holds nothing of
    the person reading it (the filter form is a GET form: no CSRF token)."""
    return _kept_drawing(
        "kpi-page",
        snapshot,
        (
            hashlib.sha256(repr(marks).encode()).hexdigest()[:16],
            region,
            office_type,
            mode,
            years_metric,
            sort,
            page,
        ),
        functools.partial(
            _page,
            snapshot,
            marks=marks,
            region=region,
            office_type=office_type,
            mode=mode,
            years_metric=years_metric,
            search=search,
            sort=sort,
            page=page,
        ),
        keep=not search,
        in_process=True,
    )


def _page(snapshot, *, marks, region, office_type, mode, years_metric, search, sort, page):
    cycle = snapshot.cycle
    head = headline(snapshot, region=region, office_type=office_type)
    document, group = head["document"], head["group"]
    # The wording every office reads, kept per framework version and language.
    recommendations = framework_texts(cycle)
    small_group = bool(group) and group["respondents"] < MIN_GROUP
    drawn = (
        figures(
            snapshot,
            region=region,
            office_type=office_type,
            recommendations=recommendations,
            small_group=small_group,
            years_metric=years_metric,
            marks=marks,
        )
        if group
        else ""
    )
    heatmap = (
        heatmap_page(
            snapshot,
            region=region,
            office_type=office_type,
            mode=mode,
            search=search,
            sort=sort,
            page=page,
            recommendations=recommendations,
            link=lambda code: reverse("assessment_review", args=[code, cycle.year]),
        )
        if group
        else ""
    )
    html = render_to_string(
        "kpi/_dashboard.html",
        {
            "cycle": cycle,
            "snapshot": snapshot,
            "document": document,
            "group": group,
            "figures": drawn,
            "signalled": [r for r in recommendations if r.number in group["signalled"]]
            if group
            else [],
            "heatmap": heatmap,
            "filters": {"region": region, "type": office_type, "heatmap": mode},
            "filtered": bool(region or office_type),
            # What the year tabs carry over, so that a filter is never lost.
            "kept": urlencode(
                {key: value for key, value in (("region", region), ("type", office_type)) if value}
            ),
            "respondents": group["respondents"] if group else 0,
            "small_group": small_group,
            "min_group": MIN_GROUP,
            "regions": Region.choices,
            "office_types": OfficeType.choices,
            "years": [year for year, *_rest in reversed(marks)],
        },
    )
    return {
        "html": html,
        # A search's page is drawn for that request only; its figures are kept all the same.
        "blocks": [drawn] if search else [html],
    }


# Bump when the drawings or the shape of what is kept change, so that charts cached by an
# older release are not served.
CHARTS_VERSION = 7
# The templates of the blocks kept rendered in the cache.
BLOCK_TEMPLATES = (
    "kpi/_dashboard.html",
    "kpi/_figures.html",
    "kpi/_heatmap.html",
    "kpi/_basis.html",
    "kpi/_delta.html",
    "kpi/_trend_cells.html",
)


@functools.cache
def _blocks_version() -> str:
    """CHARTS_VERSION and a digest of the blocks' templates: a release that changes a
    template never serves blocks rendered by the one before (the cache may outlive it)."""
    digest = hashlib.sha256(str(CHARTS_VERSION).encode())
    for name in BLOCK_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


# A snapshot's charts are kept a week after their last use; a new snapshot has a new key.
CHARTS_TIMEOUT = 7 * 24 * 3600


def group_of(document: dict, *, region: str, office_type: str) -> dict | None:
    """The figures of the offices of a region, an office type, both or all."""
    if region and office_type:
        return document["by_region_and_type"].get(f"{region}/{office_type}")
    if region:
        return document["by_region"].get(region)
    if office_type:
        return document["by_office_type"].get(office_type)
    return document


def headline(snapshot, *, region: str, office_type: str) -> dict:
    """What the dashboard's head says (the cycle's response figures, the selected group's
    respondents and priority signal), kept per snapshot and filter: a request that finds it
    does not read the snapshot's document (hundreds of kilobytes of JSON)."""
    key = f"kpi-head:{CHARTS_VERSION}:{_stamp(snapshot)}:{region}:{office_type}"
    return _cached(key, lambda: _headline(snapshot, region, office_type))


def _headline(snapshot, region: str, office_type: str) -> dict:
    document = snapshot.document
    group = group_of(document, region=region, office_type=office_type)
    return {
        "document": {
            name: document.get(name)
            for name in ("framework", "respondents", "response_rate", "invited", "on_time")
        },
        "group": {
            "respondents": group["respondents"],
            "signalled": [e["number"] for e in group["recommendations"] if e["priority_signal"]],
        }
        if group
        else None,
    }


# The figures the multi-year view follows, one at a time (the first by default).
YEARS_METRICS = ("adoption", "maturity", "focus", "challenge", "low_priority")


def figures(
    snapshot,
    *,
    region: str,
    office_type: str,
    recommendations,
    small_group: bool,
    years_metric: str,
    marks: list[tuple] | None = None,
) -> str:
    """The dashboard's figures (the panels, the change since the previous cycle and the
    multi-year view of one figure) as one block of HTML, drawn and rendered once per
    snapshot, filter, set of the framework's snapshots, figure over the years and language.

    Drawing and rendering them is most of a dashboard request's cost; they change only
    with the snapshots, so a request that finds them does constant work: one query for the
    framework's snapshots and a cache read (the page they are part of is kept whole too:
    ``page``). The key holds each snapshot's answers hash and
    the time it was computed: a recomputation draws afresh.
    """
    cycle = snapshot.cycle
    years = years_stamp(cycle, marks)
    return _kept_drawing(
        "kpi-figures",
        snapshot,
        (years or "", region, office_type, years_metric),
        functools.partial(
            _figures,
            snapshot,
            region=region,
            office_type=office_type,
            recommendations=recommendations,
            small_group=small_group,
            years_metric=years_metric,
            years=years,
        ),
    )


def _figures(
    snapshot, *, region, office_type, recommendations, small_group, years_metric, years
) -> str:
    cycle = snapshot.cycle
    document = snapshot.document
    group = group_of(document, region=region, office_type=office_type)
    drawn_panels = panels(group, recommendations, attainment=True)
    years_view = multi_year(cycle, recommendations, years) if years else None

    def years_link(metric: str) -> str:
        """The dashboard showing another figure over the years, with the same filters."""
        parts = (
            ("region", region),
            ("type", office_type),
            ("years", metric if metric != YEARS_METRICS[0] else ""),
        )
        return "?" + urlencode([(k, v) for k, v in parts if v]) + "#years"

    html = render_to_string(
        "kpi/_figures.html",
        {
            "panels": drawn_panels,
            "document": document,
            "trend": trend_rows(document, recommendations),
            "crossing": trend_crossing(document),
            "unavailable": document.get("trend_unavailable"),
            "years_view": years_view,
            "years_metric": years_metric,
            "years_links": {metric: years_link(metric) for metric in YEARS_METRICS},
            "filters": {"region": region, "type": office_type},
            "respondents": group["respondents"],
            "small_group": small_group,
            "min_group": MIN_GROUP,
        },
    )
    return html


def lineage(framework) -> list[int]:
    """The framework and every version it descends from, newest first (their ids): the
    multi-year view joins their cycles through the crosswalk. One query, none for a first
    version."""
    if framework.derived_from_id is None:
        return [framework.pk]
    from recommendations.models import Framework

    parents = dict(Framework.objects.values_list("pk", "derived_from_id"))
    found = [framework.pk]
    step = framework.derived_from_id
    while step is not None and step not in found:
        found.append(step)
        step = parents.get(step)
    return found


def _marks():
    from kpi.models import KpiSnapshot

    return KpiSnapshot.objects.order_by("cycle__year").values_list(
        "cycle__year", "cycle__framework_id", "answers_hash", "computed_at"
    )


# Read on every dashboard request: its SQL is built once (portal/prepared.py).
_marks_read = Prepared(_marks)


def snapshot_marks() -> list[tuple]:
    """Every cycle's snapshot as (year, framework id, answers hash, computed at), oldest
    first: what the year tabs list and what says whether the multi-year view changed, in
    one query."""
    return _marks_read.all()


def years_stamp(cycle, marks: list[tuple] | None = None) -> str | None:
    """What the multi-year view is drawn from: the snapshots of every cycle of the cycle's
    framework and of the versions it descends from (a digest of their answers and times);
    None when fewer than two have figures. A crosswalk never changes once its framework is
    used, so the snapshots say all. ``marks`` are ``snapshot_marks()``, if read already."""
    family = set(lineage(cycle.framework))
    marks = [
        (year, digest, when)
        for year, framework, digest, when in (snapshot_marks() if marks is None else marks)
        if framework in family
    ]
    if len(marks) < 2:
        return None
    stamps = ",".join(f"{year}/{digest}/{when.isoformat()}" for year, digest, when in marks)
    return hashlib.sha256(stamps.encode()).hexdigest()  # a key of bounded length


def _years_metrics() -> list[dict]:
    """The figures followed over the years: how each is read from a snapshot's entry and
    from its trend's panel, and which way is better (as in the table of changes)."""
    flags = flag_titles()
    return [
        {
            "id": "adoption",
            "title": _("Adoption"),
            "chart_title": _("Adoption over the years"),
            "description": _(
                "For each recommendation, the share of responding offices that have "
                "implemented it or are implementing it, in every cycle of this framework."
            ),
            "value": lambda e: e.get("adoption", {}).get("percent"),
            "change": "adoption",
            "unit": "%",
            "sense": "good",
        },
        {
            "id": "maturity",
            "title": _("Maturity"),
            "chart_title": _("Mean current maturity level over the years"),
            "description": _(
                "For each recommendation, the mean current maturity level (1 to 5) of the "
                "responding offices, in every cycle of this framework."
            ),
            "value": lambda e: e.get("maturity", {}).get("mean"),
            "change": "maturity_mean",
            "unit": "",
            "sense": "good",
        },
        *(
            {
                "id": flag,
                "title": flags[flag][0],
                "chart_title": _("%(figure)s over the years") % {"figure": flags[flag][0]},
                "description": flags[flag][1] + ", " + _("in every cycle of this framework."),
                "value": lambda e, flag=flag: e.get(flag, {}).get("percent"),
                "change": flag,
                "unit": "%",
                "sense": sense,
            }
            for flag, sense in (("focus", "neutral"), ("challenge", "bad"), ("low_priority", "bad"))
        ),
    ]


def _carried_years(cycle, documents: list) -> tuple[list, list, dict | None]:
    """The figures of the cycles of earlier framework versions in ``documents`` ((year,
    framework id, document) by year), carried office by office into the numbering of
    ``cycle``'s framework through the (composed) crosswalk: each year's entries by number,
    and its panel change (the same offices as the year before), for every year; and the
    crosswalk from the oldest version shown (None when all share one)."""
    from assessments.models import Cycle
    from kpi import engine, selectors
    from recommendations.crosswalk import NEW
    from recommendations.models import Framework
    from recommendations.selectors import crosswalk_between

    current = cycle.framework
    numbers = list(current.recommendations.order_by("number").values_list("number", flat=True))
    earlier = {framework for _year, framework, _document in documents if framework != current.pk}
    frameworks = Framework.objects.in_bulk(earlier)
    walks = {pk: crosswalk_between(frameworks[pk], current) for pk in earlier}
    cycles = Cycle.objects.in_bulk(
        [year for year, framework, _document in documents if framework != current.pk],
        field_name="year",
    )
    by_year, panels, carried = [], [], {}
    for index, (year, framework, document) in enumerate(documents):
        if framework == current.pk:
            by_year.append({entry["number"]: entry for entry in document["recommendations"]})
            panels.append(_panel(document))
            continue
        walk = walks[framework]
        answers, answered = selectors.carried_answers(cycles[year], walk)
        rows = selectors.carried_rows(answers)
        continued = [n for n in numbers if walk.relation(n) != NEW]
        carried[year] = (rows, answered, continued)
        figures = engine.compute(rows, numbers=continued, offices=answered)
        by_year.append({entry["number"]: entry for entry in figures["recommendations"]})
        before = carried.get(documents[index - 1][0]) if index else None
        if before is None:
            panels.append({})
            continue
        panel = answered & before[1]
        common = [n for n in continued if n in before[2]]
        change = engine.trend(
            engine.compute(rows, numbers=common, offices=panel),
            engine.compute(before[0], numbers=common, offices=panel),
        )
        panels.append({"offices": len(panel), **change})
    oldest = documents[0][1]
    return by_year, panels, walks.get(oldest)


def multi_year(cycle, recommendations, stamp: str | None = None) -> dict | None:
    """Every cycle of the cycle's framework and of the versions it descends from: adoption,
    the mean maturity level and the shares of focus, big challenge and low priority by year
    for all respondents, with the change among the same offices (those that answered both)
    from each year to the next.

    The cycles of an earlier version are joined through the crosswalk: their answers are
    carried office by office into this version's numbering by the crosswalk's rule, a new
    recommendation starts at the version that brings it, and the boundary between versions
    is marked in the chart and its table. As the other co-lead figures, each says on how
    many offices it rests: each year's respondents and each pair's same offices, groups
    under ``MIN_GROUP`` marked as small. Drawn once per set of snapshots and language, like
    the other charts; None when fewer than two cycles have figures.
    """
    from kpi.models import KpiSnapshot

    stamp = stamp or years_stamp(cycle)
    if stamp is None:
        return None
    direction = "rtl" if get_language_bidi() else "ltr"
    key = f"kpi-years:{CHARTS_VERSION}:{get_language()}:{direction}:{stamp}"
    found = cache.get(key)
    if found is not None:
        return found
    found = list(
        KpiSnapshot.objects.filter(cycle__framework_id__in=lineage(cycle.framework))
        .order_by("cycle__year")
        .values_list("cycle__year", "cycle__framework_id", "document", "cycle__framework__version")
    )
    documents = [(year, framework, document) for year, framework, document, _v in found]
    versions = [version for _year, _framework, _document, version in found]
    years = [str(year) for year, _framework, _document in documents]
    if all(framework == cycle.framework_id for _year, framework, _document in documents):
        by_year = [
            {entry["number"]: entry for entry in document["recommendations"]}
            for _year, _framework, document in documents
        ]
        panels, walk = [_panel(document) for _year, _framework, document in documents], None
    else:
        by_year, panels, walk = _carried_years(cycle, documents)
    # Where a cycle uses another version than the one before it: a divider and its name.
    boundaries = {
        index: _("framework %(version)s") % {"version": isolated(versions[index])}
        for index in range(1, len(versions))
        if versions[index] != versions[index - 1]
    }
    marks = crosswalk_marks(walk.describe()) if walk is not None else {}
    titles = [f"{r.number}. {r.short_title}" for r in recommendations]
    chart_titles = [
        f"{title} ⇄" if r.number in marks else title
        for r, title in zip(recommendations, titles, strict=True)
    ]
    panel_by_year = [
        {entry["number"]: entry for entry in panel.get("recommendations", [])} for panel in panels
    ]
    respondents = [document["respondents"] for _year, _framework, document in documents]
    panel_offices = [panel.get("offices") for panel in panels]
    basis = " " + _("Responding offices: %(counts)s.") % {
        "counts": "; ".join(
            _("%(count)s in %(year)s") % {"count": count, "year": year}
            for count, year in zip(respondents, years, strict=True)
        )
    }
    if boundaries:
        basis += " " + _(
            "The cycles of earlier framework versions are carried into this version's "
            "recommendations through the crosswalk; a new recommendation starts with the "
            "version that brings it."
        )
    metrics = []
    for metric in _years_metrics():
        lines = [
            [metric["value"](entries.get(r.number) or {}) for entries in by_year]
            for r in recommendations
        ]
        drawn = _both(
            charts.small_multiples,
            chart_id=f"years-{metric['id']}",
            title=metric["chart_title"],
            description=metric["description"] + basis,
            categories=chart_titles,
            years=years,
            values=lines,
            max_value=5 if metric["unit"] == "" else 100,
            unit=metric["unit"],
            boundaries=boundaries,
        )
        rows = [
            {
                "title": title,
                "crosswalk": marks.get(r.number, ""),
                "cells": [
                    {
                        "value": line[index],
                        "panel": (panel_by_year[index].get(r.number) or {}).get(metric["change"])
                        if index
                        else None,
                    }
                    for index in range(len(years))
                ],
            }
            for r, title, line in zip(recommendations, titles, lines, strict=True)
        ]
        metrics.append(
            {
                "id": metric["id"],
                "title": metric["title"],
                "unit": metric["unit"],
                "sense": metric["sense"],
                "rows": rows,
                **drawn,
            }
        )
    adoption = metrics[0]
    drawn = {
        # The adoption figures stay at the top for the readers of the first version.
        "svg": adoption["svg"],
        "svg_narrow": adoption["svg_narrow"],
        "rows": [
            {
                "title": row["title"],
                "crosswalk": row["crosswalk"],
                "cells": [
                    {"adoption": cell["value"], "panel": cell["panel"]} for cell in row["cells"]
                ],
            }
            for row in adoption["rows"]
        ],
        "metrics": metrics,
        "years": years,
        # The years that start another framework version: index -> "framework 2027".
        "boundaries": boundaries,
        "columns": [
            {"year": year, "boundary": boundaries.get(index, "")}
            for index, year in enumerate(years)
        ],
        "respondents": respondents,
        "panel_offices": panel_offices,
        # What each column rests on, as the table's "Offices" row shows it.
        "bases": [
            {
                "year": year,
                "respondents": count,
                "small": count < MIN_GROUP,
                "panel": panel if index else None,
                "panel_small": bool(index) and panel is not None and panel < MIN_GROUP,
            }
            for index, (year, count, panel) in enumerate(
                zip(years, respondents, panel_offices, strict=True)
            )
        ],
        "small": any(count < MIN_GROUP for count in respondents)
        or any(panel is not None and panel < MIN_GROUP for panel in panel_offices[1:]),
    }
    cache.set(key, drawn, CHARTS_TIMEOUT)
    return drawn


def _panel(document: dict) -> dict:
    """The change since the previous cycle among the offices that answered both."""
    return (document.get("trend") or {}).get("panel") or {}


def benchmark_chart(
    *, place, view, labels: list[str], answers: dict, recommendations, own: bool
) -> dict:
    """The office's current level beside the mean level of each peer group it may see
    (``view`` comes from ``kpi.selectors.office_view``: nothing else is drawn), each group
    marked with whether the office is above or below it. ``own``: the reader belongs to the
    office ("your office"); a co-lead reads the office's code instead.

    Drawn once per publication, submitted version, reader kind and language.
    """
    assessment = place.assessment
    shown = [(label, peer) for label, peer in zip(labels, view.groups, strict=True)]
    key = ":".join(
        str(part)
        for part in (
            "kpi-benchmark",
            CHARTS_VERSION,
            place.cycle.pk,
            place.office.pk,
            assessment.pk,
            getattr(assessment, "version", ""),
            getattr(assessment, "is_submitted_version", False),
            view.published_at.isoformat() if view.published_at else "",
            "".join(("1" if peer.figures else "0") for _label, peer in shown),
            own,
            get_language(),
            "rtl" if get_language_bidi() else "ltr",
        )
    )
    found = cache.get(key)
    if found is not None:
        return found
    code = place.office.code
    office_label = _("Your office (%(code)s)") % {"code": code} if own else code
    means = [
        (label, {e["number"]: e["maturity"]["mean"] for e in peer.figures["recommendations"]})
        for label, peer in shown
        if peer.figures
    ]
    categories, values, highlight = [], [], set()
    for recommendation in recommendations:
        answer = answers.get(recommendation.number)
        level = answer.maturity_current if answer else None
        title = f"{recommendation.number}. {recommendation.short_title}"
        highlight.add(len(categories))
        categories.append(
            f"{title} — {office_label}"
            if level
            else f"{title} — {office_label}: " + _("no level given")
        )
        values.append(level or 0)
        for label, group_means in means:
            mean = group_means.get(recommendation.number)
            if mean is None:
                continue
            if not level:
                mark = ""
            elif level > mean:
                mark = " ▲ " + _("%(office)s above") % {"office": office_label}
            elif level < mean:
                mark = " ▼ " + _("%(office)s below") % {"office": office_label}
            else:
                mark = " = " + _("%(office)s level with it") % {"office": office_label}
            categories.append("\u2003" + label + mark)
            values.append(mean)
    arguments = {
        "chart_id": "benchmark",
        "title": _("Current maturity level beside the peer groups"),
        "description": _(
            "For each recommendation, the office's current maturity level (1 to 5), then the "
            "mean current level of each peer group shown, marked with whether the office is "
            "above or below it."
        ),
        "categories": categories,
        "values": values,
        "max_value": 5,
        "unit": "",
        "decimals": 1,
        "highlight": highlight,
        "highlight_label": office_label,
    }
    drawn = _both(charts.bars, **arguments) if means else {}
    cache.set(key, drawn, CHARTS_TIMEOUT)
    return drawn
