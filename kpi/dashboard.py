"""Turns a KPI snapshot into the dashboard's panels: a chart and the table behind it."""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _

from assessments.models import Answer, Assessment
from assessments.submissions import submitted_answers
from kpi import charts
from kpi.engine import STATUSES, UNANSWERED, percent

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


def panels(group: dict, recommendations) -> list[Panel]:
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
    status_names = [*(STATUS_LABELS[key] for key in STATUSES), _("Not answered")]
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
    return result


def _cell(value: dict) -> str:
    return f"{value['count']} ({value['percent']} %)"


def trend_rows(document: dict, recommendations) -> list[dict]:
    trend = document.get("trend")
    if not trend:
        return []
    titles = {r.number: f"{r.number}. {r.short_title}" for r in recommendations}
    panel = {entry["number"]: entry for entry in trend["panel"]["recommendations"]}
    return [
        {
            "title": titles.get(entry["number"], entry["number"]),
            "overall": entry,
            "panel": panel.get(entry["number"]),
        }
        for entry in trend["overall"]["recommendations"]
    ]


def heatmap(cycle, *, mode: str, region: str, office_type: str, recommendations, link=None) -> str:
    """Offices × recommendations, from the answers as last submitted."""
    assessments = Assessment.objects.filter(cycle=cycle)
    if region:
        assessments = assessments.filter(office__region=region)
    if office_type:
        assessments = assessments.filter(office__office_type=office_type)
    grid: dict[str, dict[int, tuple]] = {}
    for answer in submitted_answers(assessments):
        grid.setdefault(answer.assessment.office.code, {})[answer.recommendation.number] = (
            answer.status,
            answer.maturity_current,
        )
    numbers = [r.number for r in recommendations]
    cells = []
    for code in grid:
        line = []
        for number in numbers:
            status, level = grid[code].get(number, ("", None))
            if mode == "maturity":
                line.append(
                    charts.Cell(
                        text=str(level),
                        color=charts.MATURITY_COLORS[level],
                        label=_("level %(level)s") % {"level": level},
                    )
                    if level
                    else None
                )
            else:
                text, color = charts.STATUS_CELLS[status]
                label = STATUS_LABELS.get(status, _("Not answered"))
                line.append(charts.Cell(text=text, color=color, label=label))
        cells.append(line)
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
    return charts.heatmap(
        chart_id=f"heatmap-{mode}",
        title=title,
        description=_(
            "Each row is a responding office by its ST.3 code, each column a recommendation."
        ),
        rows=list(grid),
        columns=[str(n) for n in numbers],
        column_names=[f"{r.number}. {r.short_title}" for r in recommendations],
        row_links=[link(code) for code in grid] if link else None,
        cells=cells,
        legend=legend,
    )


# Bump when the drawings change, so that charts cached by an older release are not served.
CHARTS_VERSION = 2
# A snapshot's charts are kept a week after their last use; a new snapshot has a new key.
CHARTS_TIMEOUT = 7 * 24 * 3600


def cached_charts(
    snapshot, group: dict, *, region: str, office_type: str, mode: str, recommendations, link
) -> dict:
    """The dashboard's panels and heatmap, drawn once per snapshot, filter and language.

    Drawing is most of a dashboard request's cost and grows with the number of offices
    (the heatmap has a cell per office and recommendation); the figures change only with
    the snapshot, so a request that finds them drawn does constant work. The key holds the
    snapshot's answers hash and the time it was computed: a recomputation draws afresh.
    """
    key = ":".join(
        str(part)
        for part in (
            "kpi-charts",
            CHARTS_VERSION,
            snapshot.cycle_id,
            snapshot.answers_hash,
            snapshot.computed_at.isoformat(),
            region,
            office_type,
            mode,
            get_language(),
            "rtl" if get_language_bidi() else "ltr",
        )
    )
    found = cache.get(key)
    if found is not None:
        return found
    drawn = {
        "panels": panels(group, recommendations),
        "heatmap": heatmap(
            snapshot.cycle,
            mode=mode,
            region=region,
            office_type=office_type,
            recommendations=recommendations,
            link=link,
        ),
    }
    cache.set(key, drawn, CHARTS_TIMEOUT)
    return drawn


def multi_year(cycle, recommendations) -> dict | None:
    """Every cycle of the cycle's framework: adoption by year for all respondents, and the
    change among the same offices (those that answered both) from each year to the next.

    Drawn once per set of snapshots and language, like the other charts; None when the
    framework has a single cycle with figures.
    """
    from kpi.models import KpiSnapshot

    snapshots = KpiSnapshot.objects.filter(cycle__framework_id=cycle.framework_id).order_by(
        "cycle__year"
    )
    marks = list(snapshots.values_list("cycle__year", "answers_hash", "computed_at"))
    if len(marks) < 2:
        return None
    stamps = ",".join(f"{year}/{digest}/{when.isoformat()}" for year, digest, when in marks)
    digest = hashlib.sha256(stamps.encode()).hexdigest()  # a key of bounded length
    direction = "rtl" if get_language_bidi() else "ltr"
    key = f"kpi-years:{CHARTS_VERSION}:{get_language()}:{direction}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    documents = [
        (year, document) for year, document in snapshots.values_list("cycle__year", "document")
    ]
    years = [str(year) for year, _document in documents]
    titles = [f"{r.number}. {r.short_title}" for r in recommendations]
    by_year = [
        {entry["number"]: entry for entry in document["recommendations"]}
        for _year, document in documents
    ]
    panel_by_year = [
        {
            entry["number"]: entry
            for entry in (document.get("trend") or {}).get("panel", {}).get("recommendations", [])
        }
        for _year, document in documents
    ]
    lines = [
        [(entries.get(r.number) or {}).get("adoption", {}).get("percent") for entries in by_year]
        for r in recommendations
    ]
    arguments = {
        "chart_id": "years",
        "title": _("Adoption over the years"),
        "description": _(
            "For each recommendation, the share of responding offices that have implemented "
            "it or are implementing it, in every cycle of this framework."
        ),
        "categories": titles,
        "years": years,
        "values": lines,
    }
    drawn = {
        **_both(charts.small_multiples, **arguments),
        "years": years,
        "respondents": [document["respondents"] for _year, document in documents],
        "panel_offices": [
            (document.get("trend") or {}).get("panel", {}).get("offices")
            for _year, document in documents
        ],
        "rows": [
            {
                "title": title,
                "cells": [
                    {
                        "adoption": line[index],
                        "panel": (panel_by_year[index].get(r.number) or {}).get("adoption")
                        if index
                        else None,
                    }
                    for index in range(len(years))
                ],
            }
            for r, title, line in zip(recommendations, titles, lines, strict=True)
        ],
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
