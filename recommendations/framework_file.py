"""A whole framework in one file, in and out (``docs/framework-evolution.md``): its wording in
the source language, the version it is derived from and its crosswalk to that version.

``framework_parse`` checks a whole file and collects every problem with its place
(``recommendations[3].levels[2].descriptor``, ``crosswalk[4].previous``), with the survey
import's reader; the crosswalk is checked by ``recommendations.crosswalk.problems``, the
one check the secretariat's page and activating a framework use too. ``framework_import``
loads a file that has none as a new draft framework, all or nothing; ``framework_export``
writes any framework in the same format, so that a file round-trips. The shipped
``data/framework_2024.json`` is such a file (a first version: no crosswalk).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessments.exchange import _Reader
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.problems import Problem
from portal.templatetags.written_text import isolated
from recommendations import crosswalk
from recommendations.exchange import LEVEL_KEYS, QUESTION_NAMES, TEXT_MAX_LENGTH
from recommendations.loader import load_framework
from recommendations.models import (
    LEVELS,
    RECOMMENDATION_COUNT,
    SOURCE_LANGUAGE,
    CrosswalkLink,
    Framework,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
    column,
)

FORMAT = "ict-maturity-framework"
FORMAT_VERSION = 1
TOP_KEYS = (
    "format",
    "format_version",
    "version",
    "title",
    "document_symbol",
    "adopted_on",
    "source_note",
    "derived_from",
    "recommendations",
    "questions",
    "crosswalk",
)
RECOMMENDATION_KEYS = ("number", "short_title", "statement", "gist", "actions", "levels")
LINE_KEYS = ("previous", "recommendation")
ACTION_KEYS = ("text", "moves_from_level")


class FrameworkFileInvalid(Exception):
    """The file has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the framework file")
        self.problems = problems


@dataclass
class ParsedFramework:
    data: dict = field(default_factory=dict)  # what load_framework takes
    derived_from: Framework | None = None
    derived_from_unknown: bool = False
    lines: list[tuple[int, int | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class FrameworkReport:
    version: str
    title: str
    derived_from: str
    dry_run: bool
    recommendations: int
    relations: dict[int, str]  # new number -> same, merged, split or new
    retired: tuple[int, ...]


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length or TEXT_MAX_LENGTH


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _FileReader(_Reader):
    def required(self, value, place: str, model, name: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(place, _("Missing: give the text."))
            return None
        return self.text(value, place, _max_length(model, name), lines=True)

    def number(self, value, place: str, allowed) -> int | None:
        if not _is_int(value) or value not in allowed:
            self.problem(
                place,
                _("Must be a whole number from %(low)d to %(high)d.")
                % {"low": min(allowed), "high": max(allowed)},
            )
            return None
        return value


def framework_parse(data) -> ParsedFramework:
    """Checks the whole document against the format, the portal's frameworks and the
    crosswalk's rules; never writes."""
    reader = _FileReader()
    parsed = ParsedFramework(problems=reader.problems)
    document = reader.mapping(data, "", TOP_KEYS)
    if document is None:
        return parsed
    # The shipped first versions predate the two marks: they are optional, and checked when given.
    if "format" in document and document["format"] != FORMAT:
        reader.problem("format", _("Must be “%(format)s”.") % {"format": FORMAT})
    if "format_version" in document and document["format_version"] != FORMAT_VERSION:
        reader.problem(
            "format_version",
            _("Must be %(version)d: the only version of the format so far.")
            % {"version": FORMAT_VERSION},
        )
    out = parsed.data
    version = reader.required(document.get("version"), "version", Framework, "version")
    if version is not None:
        if Framework.objects.filter(version=version).exists():
            reader.problem(
                "version",
                _("Framework %(version)s exists already: give the new version another label.")
                % {"version": isolated(version)},
            )
        out["version"] = version
    out["title"] = reader.required(document.get("title"), "title", Framework, "title")
    for name in ("document_symbol", "source_note"):
        out[name] = reader.text(document.get(name), name, _max_length(Framework, name), lines=True)
    adopted_on = document.get("adopted_on")
    out["adopted_on"] = None if adopted_on is None else reader.date(adopted_on, "adopted_on")
    _parse_derived_from(reader, parsed, document.get("derived_from"))
    numbers = _parse_recommendations(reader, out, document.get("recommendations"))
    questions = reader.mapping(document.get("questions") or {}, "questions", QUESTION_NAMES)
    if questions is not None:
        out["questions"] = {
            name: text
            for name, value in questions.items()
            if name in QUESTION_NAMES
            and (text := reader.required(value, f"questions.{name}", QuestionLabel, "label"))
        }
    _parse_crosswalk(reader, parsed, document.get("crosswalk"), numbers)
    return parsed


def _parse_derived_from(reader: _Reader, parsed: ParsedFramework, value) -> None:
    if value is None:
        return
    previous = Framework.objects.filter(version=value).first() if isinstance(value, str) else None
    if previous is None:
        reader.problem(
            "derived_from",
            _("There is no framework “%(version)s” in the portal.") % {"version": isolated(value)},
        )
        parsed.derived_from_unknown = True
        return
    parsed.derived_from = previous


def _parse_recommendations(reader: _FileReader, out: dict, value) -> set[int]:
    numbers: dict[int, int] = {}
    out["recommendations"] = []
    items = reader.items(value, "recommendations", required=True)
    if isinstance(value, list) and not value:
        reader.problem("recommendations", _("A framework has at least one recommendation."))
    for index, item in enumerate(items):
        place = f"recommendations[{index}]"
        item = reader.mapping(item, place, RECOMMENDATION_KEYS)
        if item is None:
            continue
        number = reader.number(
            item.get("number"), f"{place}.number", range(1, RECOMMENDATION_COUNT + 1)
        )
        if number is not None and number in numbers:
            reader.problem(
                f"{place}.number",
                _("%(number)s appears twice; the first is at recommendations[%(index)d].")
                % {"number": number, "index": numbers[number]},
            )
        elif number is not None:
            numbers[number] = index
        recommendation = {
            "number": number,
            "short_title": reader.required(
                item.get("short_title"), f"{place}.short_title", Recommendation, "short_title"
            ),
            "statement": reader.required(
                item.get("statement"), f"{place}.statement", Recommendation, "statement"
            ),
            "gist": reader.text(
                item.get("gist"), f"{place}.gist", _max_length(Recommendation, "gist"), lines=True
            ),
            "actions": _parse_actions(reader, item.get("actions"), f"{place}.actions"),
            "levels": _parse_levels(reader, item.get("levels"), f"{place}.levels"),
        }
        out["recommendations"].append(recommendation)
    return set(numbers)


def _parse_actions(reader: _FileReader, value, place: str) -> list[dict]:
    """Each action as ``{"text", "moves_from_level"}``; a bare text (the files of before the
    matrix's steps) is an action tied to no step."""
    actions = []
    for position, item in enumerate(reader.items(value, place, required=True)):
        where = f"{place}[{position}]"
        if isinstance(item, str):
            item = {"text": item}
        item = reader.mapping(item, where, ACTION_KEYS)
        if item is None:
            continue
        step = item.get("moves_from_level")
        if step is not None:
            step = reader.number(step, f"{where}.moves_from_level", LEVELS[:-1])
        actions.append(
            {
                "text": reader.required(
                    item.get("text"), f"{where}.text", RecommendedAction, "text"
                ),
                "moves_from_level": step,
            }
        )
    return actions


def _parse_levels(reader: _FileReader, value, place: str) -> list[dict]:
    levels: dict[int, dict] = {}
    for index, item in enumerate(reader.items(value, place, required=True)):
        where = f"{place}[{index}]"
        item = reader.mapping(item, where, LEVEL_KEYS)
        if item is None:
            continue
        level = reader.number(item.get("level"), f"{where}.level", LEVELS)
        if level is None:
            continue
        if level in levels:
            reader.problem(f"{where}.level", _("Level %(level)s appears twice.") % {"level": level})
            continue
        levels[level] = {
            "level": level,
            "name": reader.required(item.get("name"), f"{where}.name", MaturityLevel, "name"),
            "descriptor": reader.required(
                item.get("descriptor"), f"{where}.descriptor", MaturityLevel, "descriptor"
            ),
        }
    if isinstance(value, list):
        missing = [level for level in LEVELS if level not in levels]
        if missing:
            reader.problem(
                place,
                _("Missing: every recommendation describes the five levels; %(levels)s lacking.")
                % {"levels": ", ".join(str(level) for level in missing)},
            )
    return [levels[level] for level in sorted(levels)]


def _parse_crosswalk(reader: _Reader, parsed: ParsedFramework, value, numbers: set[int]) -> None:
    lines = []
    readable = True
    for index, item in enumerate(reader.items(value, "crosswalk", required=False)):
        place = f"crosswalk[{index}]"
        item = reader.mapping(item, place, LINE_KEYS)
        if item is None:
            readable = False
            continue
        previous, new = item.get("previous"), item.get("recommendation")
        if not _is_int(previous):
            reader.problem(f"{place}.previous", _("Must be a recommendation number."))
            readable = False
        if new is not None and not _is_int(new):
            reader.problem(
                f"{place}.recommendation",
                _("Must be a recommendation number, or null when the previous one is retired."),
            )
            readable = False
        lines.append((previous, new))
    if not readable:
        return  # the rules need every line read
    previous = parsed.derived_from
    if previous is None and parsed.derived_from_unknown:
        return  # the unknown version is the problem; its numbers cannot be checked
    old_numbers = (
        list(previous.recommendations.values_list("number", flat=True)) if previous else None
    )
    reader.problems += crosswalk.problems(old_numbers, numbers, lines, place="crosswalk")
    parsed.lines = lines


# --- Writing ---------------------------------------------------------------------------------


@transaction.atomic
def framework_import(*, data, dry_run: bool = False) -> FrameworkReport:
    """Checks the file, then (unless ``dry_run``) loads it as a new draft framework; all or
    nothing, its audit entry included. Raises ``FrameworkFileInvalid`` with every problem
    when the file has any."""
    if data_version := isinstance(data, dict) and data.get("derived_from"):
        # Read under a lock: a recommendation of it deleted meanwhile would break the lines.
        Framework.objects.select_for_update().filter(version=data_version).first()
    parsed = framework_parse(data)
    if parsed.problems:
        raise FrameworkFileInvalid(parsed.problems)
    numbers = [item["number"] for item in parsed.data["recommendations"]]
    previous = parsed.derived_from
    walk = crosswalk.from_lines(
        previous.version if previous else "", parsed.data["version"], numbers, parsed.lines
    )
    report = FrameworkReport(
        version=parsed.data["version"],
        title=parsed.data["title"],
        derived_from=previous.version if previous else "",
        dry_run=dry_run,
        recommendations=len(numbers),
        relations=walk.relations() if previous else {},
        retired=walk.retired,
    )
    if not dry_run:
        try:
            with transaction.atomic():
                framework = framework_apply(parsed)
        except IntegrityError:
            # The same version loaded by someone else since the check: said as the check says it.
            version = parsed.data["version"]
            raise FrameworkFileInvalid(
                [
                    Problem(
                        "version",
                        _(
                            "Framework %(version)s exists already: give the new version another "
                            "label."
                        )
                        % {"version": isolated(version)},
                    )
                ]
            ) from None
        audit_record(
            kind=AuditEvent.Kind.FRAMEWORK_MADE,
            target=framework,
            detail={"loaded_from_file": True, "derived_from": report.derived_from},
        )
    return report


@transaction.atomic
def framework_apply(parsed: ParsedFramework) -> Framework:
    framework = load_framework(
        parsed.data,
        status=Framework.Status.DRAFT,
        models=(Framework, Recommendation, RecommendedAction, MaturityLevel, QuestionLabel),
    )
    framework.derived_from = parsed.derived_from
    framework.save(update_fields=["derived_from"])
    if parsed.derived_from is not None:
        old = {r.number: r for r in parsed.derived_from.recommendations.all()}
        new = {r.number: r for r in framework.recommendations.all()}
        CrosswalkLink.objects.bulk_create(
            CrosswalkLink(
                framework=framework,
                previous=old[previous],
                recommendation=new[number] if number is not None else None,
            )
            for previous, number in parsed.lines
        )
    return framework


# --- Reading out -----------------------------------------------------------------------------


def framework_export(framework: Framework) -> dict:
    """``framework`` as a framework file, in its source language, with its crosswalk to the
    version it is derived from (``selectors.crosswalk_lines``: as the portal reads it)."""
    from recommendations.selectors import crosswalk_lines

    def source(row, name: str) -> str:
        return getattr(row, column(name, SOURCE_LANGUAGE)) or ""

    recommendations = framework.recommendations.order_by("number").prefetch_related(
        "actions", "levels"
    )
    labels = {label.name: label for label in framework.questions.all()}
    previous = framework.derived_from
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": framework.version,
        "title": source(framework, "title"),
        "document_symbol": framework.document_symbol,
        "adopted_on": framework.adopted_on.isoformat() if framework.adopted_on else None,
        "source_note": framework.source_note,
        "derived_from": previous.version if previous else None,
        "recommendations": [
            {
                "number": recommendation.number,
                "short_title": source(recommendation, "short_title"),
                "statement": source(recommendation, "statement"),
                "gist": source(recommendation, "gist"),
                "actions": [
                    {"text": source(action, "text"), "moves_from_level": action.moves_from_level}
                    for action in sorted(recommendation.actions.all(), key=lambda a: a.position)
                ],
                "levels": [
                    {
                        "level": level.level,
                        "name": source(level, "name"),
                        "descriptor": source(level, "descriptor"),
                    }
                    for level in sorted(recommendation.levels.all(), key=lambda lv: lv.level)
                ],
            }
            for recommendation in recommendations
        ],
        "questions": {
            name: source(labels[name], "label") for name in QUESTION_NAMES if name in labels
        },
        "crosswalk": [
            {"previous": old, "recommendation": new} for old, new in crosswalk_lines(framework)
        ],
    }
    return document
