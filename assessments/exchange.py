"""Past surveys in and out: the JSON exchange format (``docs/exchange-format.md``).

``survey_parse`` checks a whole file and collects every problem with its place in the file
(``assessments[3].answers[1].status``); ``survey_import`` writes a file that has none, all or
nothing; ``survey_export`` writes a cycle's submissions in the same format, so that
importing an export into an empty database reproduces it.
"""

import datetime
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import questionnaire as q
from assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Cycle,
    Invitation,
    cycle_date_problems,
)
from assessments.services import assessment_values
from assessments.submissions import submitted_version
from portal import safejson
from portal.offices import st3
from portal.offices.models import Office
from portal.problems import Problem
from recommendations.models import Framework

FORMAT = "ict-maturity-exchange"
VERSION = 1
YEARS = (1990, 2100)

TOP_KEYS = ("format", "version", "cycle", "offices", "assessments")
CYCLE_KEYS = ("year", "framework", "opens_on", "closes_on")
OFFICE_KEYS = ("code", "name", "region", "office_type")
ASSESSMENT_KEYS = ("office", "answers", "proposals", "other_comments", "private", "submitted_at")
# Exchange name → Answer field.
ANSWER_FIELDS = {
    "status": "status",
    "focus": "focus",
    "low_priority": "low_priority",
    "challenge": "challenge",
    "discuss": "discuss",
    "maturity": "maturity_current",
    "target": "maturity_target",
    "status_comment": "status_comment",
    "focus_comment": "focus_comment",
    "low_priority_comment": "low_priority_comment",
    "challenge_comment": "challenge_comment",
    "evidence": "evidence",
    "evidence_url": "evidence_url",
}
ANSWER_KEYS = ("recommendation", *ANSWER_FIELDS, "private")
OVERALL_TEXTS = ("proposals", "other_comments")
# The texts that can be marked "not for publication", named as in the file.
ANSWER_PRIVATE = tuple(
    question.private_of for question in q.PER_RECOMMENDATION if question.kind == "private"
)
OVERALL_PRIVATE = tuple(question.private_of for question in q.OVERALL if question.kind == "private")

_is_url = URLValidator()


class SurveyInvalid(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the survey file")
        self.problems = problems


@dataclass
class ParsedCycle:
    year: int | None = None
    framework: Framework | None = None
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    existing: Cycle | None = None


@dataclass
class ParsedOffice:
    code: str
    name: str
    region: str = ""
    office_type: str = ""
    existing: Office | None = None

    @classmethod
    def stored(cls, office: Office) -> "ParsedOffice":
        """The portal's own record, which an import never renames."""
        return cls(
            code=office.code,
            name=office.name,
            region=office.region,
            office_type=office.office_type,
            existing=office,
        )


@dataclass
class ParsedAssessment:
    office: str  # ST.3 code
    place: str
    values: dict  # every answer by questionnaire key (``r3-status``, ``proposals``…)
    submitted_at: datetime.datetime | None = None
    unchanged: bool = False  # stored already with the same answers


@dataclass
class ParsedSurvey:
    cycle: ParsedCycle = field(default_factory=ParsedCycle)
    offices: dict[str, ParsedOffice] = field(default_factory=dict)
    assessments: list[ParsedAssessment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What the database already holds, read once for the whole file.
    stored_offices: dict[str, Office] = field(default_factory=dict)
    _numbers: list[int] | None = None
    _stored_assessments: dict[int, Assessment] | None = None

    @property
    def numbers(self) -> list[int]:
        if self.cycle.framework is None:
            return []
        if self._numbers is None:
            self._numbers = list(
                self.cycle.framework.recommendations.order_by("number").values_list(
                    "number", flat=True
                )
            )
        return self._numbers

    def stored_assessment(self, office: Office) -> Assessment | None:
        """The cycle's assessment of ``office`` already in the portal, if any."""
        if self.cycle.existing is None:
            return None
        if self._stored_assessments is None:
            self._stored_assessments = {
                assessment.office_id: assessment
                for assessment in Assessment.objects.filter(
                    cycle=self.cycle.existing
                ).prefetch_related("answers__recommendation")
            }
        return self._stored_assessments.get(office.pk)


@dataclass
class ImportReport:
    year: int
    framework: str
    dry_run: bool
    cycle_created: bool
    offices_created: list[str]
    offices_invited: list[str]
    imported: list[str]
    unchanged: list[str]

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.cycle_created or self.offices_created or self.offices_invited or self.imported
        )


# --- Reading a file --------------------------------------------------------------------------


class FileUnreadable(ValueError):
    """The file is not a JSON document the import can read; the message says why."""


def survey_load(text: str):
    """The JSON document of an exchange file's text, or ``FileUnreadable``: the one reading
    of a file for the import page and the command, before ``survey_parse`` checks it."""
    try:
        return safejson.loads(text)
    except safejson.TooDeep as deep:
        raise FileUnreadable(
            _("The file nests lists and objects more than %(depth)d levels deep.")
            % {"depth": deep.max_depth}
        ) from None
    except json.JSONDecodeError as error:
        raise FileUnreadable(
            _("The file is not valid JSON: %(error)s at line %(line)d, column %(column)d.")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None


class _Reader:
    """Walks the document, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems: list[Problem] = []

    def problem(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, str(message)))

    def mapping(self, value, place: str, allowed) -> dict | None:
        if not isinstance(value, dict):
            self.problem(place, _("Must be an object ({…})."))
            return None
        for name in value:
            if name not in allowed:
                self.unknown_key(name, place, allowed)
        return value

    def unknown_key(self, name, place: str, allowed) -> None:
        guess = difflib.get_close_matches(str(name), allowed, n=1)
        where = _join(place, str(name))
        if guess:
            self.problem(
                where,
                _("Unknown field “%(name)s”. Did you mean “%(guess)s”?")
                % {"name": name, "guess": guess[0]},
            )
        else:
            self.problem(
                where,
                _("Unknown field “%(name)s”; the fields here are %(allowed)s.")
                % {"name": name, "allowed": ", ".join(allowed)},
            )

    def items(self, value, place: str, *, required: bool) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.problem(place, _("Must be a list ([…])."))
            return []
        return value

    def text(self, value, place: str, max_length: int, *, lines: bool = False) -> str | None:
        """A string, or null for an empty one; ``None`` when it is not acceptable.

        ``lines``: free text, which may hold tabs and line breaks; no text holds any other
        control character (PostgreSQL cannot even store a NUL)."""
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(place, _("Must be a text (a string in quotes) or null."))
            return None
        if not self.printable(value, place, lines=lines):
            return None
        if len(value) > max_length:
            self.problem(
                place,
                _("Too long: %(length)d characters, at most %(max)d.")
                % {"length": len(value), "max": max_length},
            )
            return None
        return value

    def printable(self, value: str, place: str, *, lines: bool = False) -> bool:
        """Whether ``value`` is free of control characters (but tabs and line breaks in
        free text); if not, the problem names the first one and where it is."""
        allowed = "\t\n\r" if lines else ""
        for position, char in enumerate(value, start=1):
            if unicodedata.category(char) == "Cc" and char not in allowed:
                self.problem(
                    place,
                    _(
                        "Contains a control character (U+%(code)04X) at character %(position)d; "
                        "remove it."
                    )
                    % {"code": ord(char), "position": position},
                )
                return False
        return True

    def date(self, value, place: str) -> datetime.date | None:
        if not isinstance(value, str):
            self.problem(place, _("Must be a date written YYYY-MM-DD."))
            return None
        if not self.printable(value, place):
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(
                place, _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": value}
            )
            return None


def _join(place: str, name: str) -> str:
    return f"{place}.{name}" if place else name


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _default(name: str):
    """What a field holds when the file does not give it: unanswered, or not asked."""
    kind = q.QUESTIONS[name].kind
    if kind in ("flag", "level"):
        return None
    if kind == "private":
        return False
    return ""


def blank_values(numbers) -> dict:
    return {field_key: _default(q.parse_key(field_key)[1]) for field_key in q.all_keys(numbers)}


def survey_parse(data) -> ParsedSurvey:
    """Checks the whole document against the format and the database; never writes.

    Every problem is collected in ``parsed.problems``; the rest of ``parsed`` is what an import
    would write, and is complete only when there is no problem.
    """
    reader = _Reader()
    parsed = ParsedSurvey(problems=reader.problems)
    if not isinstance(data, dict):
        reader.problem(
            "file",
            _(
                "The file must hold one JSON object ({…}) with format, version, cycle and "
                "assessments."
            ),
        )
        return parsed
    document = reader.mapping(data, "", TOP_KEYS)
    for name in ("format", "version", "cycle", "assessments"):
        if name not in document:
            reader.problem(name, _("This field is required."))
    if "format" in document and document["format"] != FORMAT:
        reader.problem("format", _("Must be “%(format)s”.") % {"format": FORMAT})
    if "version" in document and not (
        _is_int(document["version"]) and document["version"] == VERSION
    ):
        if _is_int(document["version"]):
            message = _(
                "Version %(version)d is not supported; this portal reads version %(supported)d."
            ) % {"version": document["version"], "supported": VERSION}
        else:
            message = _("Must be the number %(supported)d.") % {"supported": VERSION}
        reader.problem("version", message)
    if "cycle" in document:
        _parse_cycle(reader, parsed, document["cycle"])
    parsed.stored_offices = _stored_offices(document)
    _parse_offices(reader, parsed, document.get("offices"))
    if "assessments" in document:
        _parse_assessments(reader, parsed, document["assessments"])
    return parsed


def _parse_cycle(reader: _Reader, parsed: ParsedSurvey, value) -> None:
    cycle = reader.mapping(value, "cycle", CYCLE_KEYS)
    if cycle is None:
        return
    result = parsed.cycle
    year = cycle.get("year")
    if "year" not in cycle:
        reader.problem("cycle.year", _("This field is required."))
    elif not _is_int(year) or not YEARS[0] <= year <= YEARS[1]:
        reader.problem(
            "cycle.year",
            _("Must be a whole number of a year from %(first)d to %(last)d.")
            % {"first": YEARS[0], "last": YEARS[1]},
        )
    else:
        result.year = year
        result.existing = Cycle.objects.filter(year=year).select_related("framework").first()

    version = cycle.get("framework")
    if "framework" not in cycle:
        reader.problem("cycle.framework", _("This field is required."))
    elif not isinstance(version, str):
        reader.problem("cycle.framework", _("Must be a framework version in quotes, e.g. “2024”."))
    elif not reader.printable(version, "cycle.framework"):
        version = None
    else:
        framework = Framework.objects.filter(version=version).first()
        if framework is None:
            known = ", ".join(
                Framework.objects.order_by("version").values_list("version", flat=True)
            )
            reader.problem(
                "cycle.framework",
                _("There is no framework version “%(version)s” (known: %(known)s).")
                % {"version": version, "known": known or "—"},
            )
        elif framework.status == Framework.Status.DRAFT:
            reader.problem(
                "cycle.framework",
                _("Framework %(version)s is a draft; a cycle uses an active framework.")
                % {"version": version},
            )
        else:
            result.framework = framework
    existing = result.existing
    if existing is not None and version is not None and existing.framework.version != version:
        reader.problem(
            "cycle.framework",
            _("The %(year)d cycle exists already, with framework %(version)s.")
            % {"year": existing.year, "version": existing.framework.version},
        )

    for name in ("opens_on", "closes_on"):
        if cycle.get(name) is None:
            continue
        day = reader.date(cycle[name], f"cycle.{name}")
        if day is None:
            continue
        if existing is not None and getattr(existing, name) != day:
            reader.problem(
                f"cycle.{name}",
                _("The %(year)d cycle exists already, with %(field)s %(date)s.")
                % {"year": existing.year, "field": name, "date": getattr(existing, name)},
            )
            continue
        setattr(result, name, day)
    if result.year is not None:
        # Absent: the stored cycle's dates, or 1 September – 30 November of its year.
        if cycle.get("opens_on") is None:
            result.opens_on = existing.opens_on if existing else datetime.date(result.year, 9, 1)
        if cycle.get("closes_on") is None:
            result.closes_on = (
                existing.closes_on if existing else datetime.date(result.year, 11, 30)
            )
        if existing is None:
            for name, message in cycle_date_problems(
                result.year, result.opens_on, result.closes_on
            ).items():
                reader.problem(f"cycle.{name}", message)
                setattr(result, name, None)
            if result.closes_on is not None and result.closes_on >= timezone.localdate():
                # A cycle still open would let offices start drafts in an imported survey.
                reader.problem(
                    "cycle.closes_on",
                    _(
                        "An imported survey is over: its cycle must have closed before today, "
                        "not on %(date)s. Open a current cycle from the cycles page instead."
                    )
                    % {"date": result.closes_on.isoformat()},
                )


_CODE = re.compile(r"[A-Za-z]{2}")


def _stored_offices(document: dict) -> dict[str, Office]:
    """The portal's offices for every code the file names, in one query."""
    codes = set()
    for key, name in (("offices", "code"), ("assessments", "office")):
        entries = document.get(key)
        for entry in entries if isinstance(entries, list) else []:
            code = entry.get(name) if isinstance(entry, dict) else None
            # Only what can be a code reaches the query: a NUL would fail it on PostgreSQL.
            if isinstance(code, str) and _CODE.fullmatch(code.strip()):
                codes.add(code.strip().upper())
    return {office.code: office for office in Office.objects.filter(code__in=codes)}


def _parse_offices(reader: _Reader, parsed: ParsedSurvey, value) -> None:
    first_place: dict[str, str] = {}
    for index, entry in enumerate(reader.items(value, "offices", required=False)):
        place = f"offices[{index}]"
        office = reader.mapping(entry, place, OFFICE_KEYS)
        if office is None:
            continue
        code = _office_code(reader, office.get("code"), f"{place}.code", required=True)
        if code is None:
            continue
        if code in first_place:
            reader.problem(
                f"{place}.code",
                _("Office %(code)s is listed twice (also at %(other)s).")
                % {"code": code, "other": first_place[code]},
            )
            continue
        first_place[code] = f"{place}.code"
        existing = parsed.stored_offices.get(code)
        if existing is not None:
            parsed.offices[code] = ParsedOffice.stored(existing)
            continue
        name = reader.text(office.get("name"), f"{place}.name", 200)
        region = reader.text(office.get("region"), f"{place}.region", 32)
        office_type = reader.text(office.get("office_type"), f"{place}.office_type", 16)
        if None in (name, region, office_type):
            continue
        candidate = Office(
            code=code,
            name=name or st3.lookup(code).name,
            region=region,
            office_type=office_type,
        )
        try:
            candidate.full_clean()
        except ValidationError as error:
            for name_, messages in error.message_dict.items():
                where = place if name_ == "__all__" else f"{place}.{name_}"
                for message in messages:
                    reader.problem(where, message)
            continue
        parsed.offices[code] = ParsedOffice(
            code=code,
            name=candidate.name,
            region=candidate.region,
            office_type=candidate.office_type,
        )


def _office_code(reader: _Reader, value, place: str, *, required: bool) -> str | None:
    if value is None:
        if required:
            reader.problem(place, _("This field is required."))
        return None
    if not isinstance(value, str):
        reader.problem(place, _("Must be a two-letter WIPO ST.3 code in quotes."))
        return None
    if not reader.printable(value, place):
        return None
    try:
        st3.validate_st3_code(value)
    except ValidationError as error:
        for message in error.messages:
            reader.problem(place, message)
        return None
    return value


def _parse_assessments(reader: _Reader, parsed: ParsedSurvey, value) -> None:
    numbers = parsed.numbers
    first_place: dict[str, str] = {}
    for index, entry in enumerate(reader.items(value, "assessments", required=True)):
        place = f"assessments[{index}]"
        assessment = reader.mapping(entry, place, ASSESSMENT_KEYS)
        if assessment is None:
            continue
        before = len(reader.problems)
        code = _office_code(reader, assessment.get("office"), f"{place}.office", required=True)
        if code is not None:
            if code in first_place:
                reader.problem(
                    f"{place}.office",
                    _("Office %(code)s has two assessments (also at %(other)s).")
                    % {"code": code, "other": first_place[code]},
                )
                code = None
            else:
                first_place[code] = f"{place}.office"
                _ensure_office(parsed, code)
        values = blank_values(numbers)
        for name in OVERALL_TEXTS:
            text = reader.text(
                assessment.get(name), f"{place}.{name}", q.QUESTIONS[name].max_length, lines=True
            )
            if text is not None:
                values[name] = text
        for name in _private_marks(reader, assessment.get("private"), place, OVERALL_PRIVATE):
            values[f"{name}_private"] = True
        _parse_answers(reader, assessment.get("answers"), place, values, numbers, parsed)
        submitted_at = None
        if assessment.get("submitted_at") is not None:
            submitted_at = _timestamp(
                reader, assessment["submitted_at"], f"{place}.submitted_at", parsed.cycle
            )
        if code is None or len(reader.problems) > before:
            continue
        result = ParsedAssessment(
            office=code, place=place, values=values, submitted_at=submitted_at
        )
        _compare_with_stored(reader, parsed, result)
        parsed.assessments.append(result)


def _ensure_office(parsed: ParsedSurvey, code: str) -> None:
    """An office not in the file's list: the portal's, or a new one named as in ST.3."""
    if code in parsed.offices:
        return
    existing = parsed.stored_offices.get(code)
    if existing is not None:
        parsed.offices[code] = ParsedOffice.stored(existing)
        return
    candidate = Office(code=code, name=st3.lookup(code).name)
    candidate.clean()  # region and type from ST.3
    parsed.offices[code] = ParsedOffice(
        code=code, name=candidate.name, region=candidate.region, office_type=candidate.office_type
    )


def _private_marks(reader: _Reader, value, place: str, allowed) -> list[str]:
    where = f"{place}.private"
    marks = []
    for index, name in enumerate(reader.items(value, where, required=False)):
        if name not in allowed:
            reader.problem(
                f"{where}[{index}]",
                _("“%(name)s” cannot be marked not for publication; only %(allowed)s can.")
                % {"name": name, "allowed": ", ".join(allowed)},
            )
            continue
        marks.append(name)
    return marks


MAX_OFFSET = datetime.timedelta(hours=14)  # the widest offset in use (Kiribati, UTC+14)


def _timestamp(reader: _Reader, value, place: str, cycle: ParsedCycle) -> datetime.datetime | None:
    """A submission time: an ISO 8601 date and time, at most 14 hours off UTC, within the
    cycle's plausible window and not in the future."""
    if isinstance(value, str) and not reader.printable(value, place):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        reader.problem(
            place,
            _("Must be a date and time such as “2025-10-01T14:30:00+00:00”."),
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if abs(moment.utcoffset()) > MAX_OFFSET:
        reader.problem(
            place,
            _("The offset from UTC must be between -14:00 and +14:00."),
        )
        return None
    if cycle.year is not None:
        # With the cycle's dates refused, the latest closing date the rule allows.
        closes_on = cycle.closes_on or datetime.date(cycle.year + 1, 12, 31)
        start, end = Cycle(year=cycle.year, closes_on=closes_on).submission_window()
        end = min(end, timezone.now())
        if not start <= moment <= end:
            reader.problem(
                place,
                _(
                    "A submission of the %(year)d survey is dated from %(start)s to %(end)s, "
                    "not %(value)s."
                )
                % {
                    "year": cycle.year,
                    "start": start.date().isoformat(),
                    "end": end.date().isoformat(),
                    "value": value,
                },
            )
            return None
    return moment


def _parse_answers(reader, value, place, values, numbers, parsed) -> None:
    where = f"{place}.answers"
    first_place: dict[int, str] = {}
    for index, entry in enumerate(reader.items(value, where, required=False)):
        answer_place = f"{where}[{index}]"
        answer = reader.mapping(entry, answer_place, ANSWER_KEYS)
        if answer is None:
            continue
        number = answer.get("recommendation")
        number_place = f"{answer_place}.recommendation"
        if "recommendation" not in answer:
            reader.problem(number_place, _("This field is required."))
            number = None
        elif not _is_int(number):
            reader.problem(number_place, _("Must be a recommendation number, such as 3."))
            number = None
        elif number in first_place:
            reader.problem(
                number_place,
                _("Recommendation %(number)d is answered twice (also at %(other)s).")
                % {"number": number, "other": first_place[number]},
            )
            number = None
        else:
            first_place[number] = number_place
            if parsed.cycle.framework is not None and number not in numbers:
                reader.problem(
                    number_place,
                    _("Framework %(version)s has no recommendation %(number)d.")
                    % {"version": parsed.cycle.framework.version, "number": number},
                )
                number = None
        for exchange_name, name in ANSWER_FIELDS.items():
            if answer.get(exchange_name) is None:
                continue
            checked = _answer_value(
                reader, name, answer[exchange_name], f"{answer_place}.{exchange_name}"
            )
            if checked is not _INVALID and number is not None:
                values[q.key(number, name)] = checked
        marks = _private_marks(reader, answer.get("private"), answer_place, ANSWER_PRIVATE)
        if number is not None:
            for name in marks:
                values[q.key(number, f"{name}_private")] = True


_INVALID = object()
_STATUSES = tuple(Answer.Status.values)


def _answer_value(reader: _Reader, name: str, value, place: str):
    """The checked, non-null value of one answer field, or ``_INVALID``."""
    question = q.QUESTIONS[name]
    if question.kind == "choice":
        if value in _STATUSES:
            return value
        reader.problem(
            place,
            _("“%(value)s” is not a status; use one of %(statuses)s, or null.")
            % {"value": value, "statuses": ", ".join(_STATUSES)},
        )
    elif question.kind == "flag":
        if isinstance(value, bool):
            return value
        reader.problem(place, _("Must be true, false or null."))
    elif question.kind == "level":
        if _is_int(value) and 1 <= value <= 5:
            return value
        reader.problem(place, _("Must be a level from 1 to 5, or null."))
    elif question.kind == "url":
        text = reader.text(value, place, question.max_length)
        if text is None:
            return _INVALID
        try:
            if text:
                _is_url(text)
        except ValidationError:
            reader.problem(place, _("“%(value)s” is not a web address.") % {"value": text})
            return _INVALID
        return text
    else:
        text = reader.text(value, place, question.max_length, lines=True)
        return _INVALID if text is None else text
    return _INVALID


def stored_values(assessment: Assessment, numbers) -> dict:
    """The assessment's answers by key, a missing row counting as blank."""
    values = blank_values(numbers)
    values.update(assessment_values(assessment))
    return values


def _compare_with_stored(reader: _Reader, parsed: ParsedSurvey, result: ParsedAssessment):
    cycle, office = parsed.cycle.existing, parsed.offices[result.office].existing
    if cycle is None or office is None:
        return
    stored = parsed.stored_assessment(office)
    if stored is None:
        return
    same = stored_values(stored, parsed.numbers) == result.values
    if same and stored.status == Assessment.Status.SUBMITTED:
        result.unchanged = True
        return
    if same:
        message = _(
            "%(code)s has a draft for %(year)d with these answers; submit or delete it first."
        )
    else:
        message = _(
            "%(code)s already has different answers for %(year)d; delete or reopen it first."
        )
    reader.problem(f"{result.place}.office", message % {"code": result.office, "year": cycle.year})


# --- Importing -------------------------------------------------------------------------------


def _report(parsed: ParsedSurvey, *, dry_run: bool) -> ImportReport:
    cycle = parsed.cycle
    invited = set()
    if cycle.existing is not None:
        invited = set(cycle.existing.invited_offices.values_list("code", flat=True))
    return ImportReport(
        year=cycle.year,
        framework=cycle.framework.version,
        dry_run=dry_run,
        cycle_created=cycle.existing is None,
        offices_created=sorted(
            code for code, office in parsed.offices.items() if office.existing is None
        ),
        offices_invited=sorted(set(parsed.offices) - invited),
        imported=sorted(a.office for a in parsed.assessments if not a.unchanged),
        unchanged=sorted(a.office for a in parsed.assessments if a.unchanged),
    )


@transaction.atomic
def survey_import(*, data, user=None, dry_run: bool = False, source: str = "") -> ImportReport:
    """Imports a past survey as submitted assessments, or raises ``SurveyInvalid``.

    All or nothing: with any problem nothing is written. Importing the same file again
    changes nothing. With ``dry_run`` the file is only checked; the report says what an
    import would do.
    """
    parsed = survey_parse(data)
    if parsed.problems:
        raise SurveyInvalid(parsed.problems)
    report = _report(parsed, dry_run=dry_run)
    if dry_run:
        return report

    cycle = parsed.cycle.existing
    if cycle is None:
        cycle = Cycle(
            year=parsed.cycle.year,
            framework=parsed.cycle.framework,
            opens_on=parsed.cycle.opens_on,
            closes_on=parsed.cycle.closes_on,
        )
        cycle.full_clean()
        cycle.save()
    offices = {}
    for code, entry in parsed.offices.items():
        if entry.existing is None:
            entry.existing = Office.objects.create(
                code=code, name=entry.name, region=entry.region, office_type=entry.office_type
            )
        offices[code] = entry.existing
    # No invitation e-mail: the survey is over.
    Invitation.objects.bulk_create(
        Invitation(cycle=cycle, office=offices[code]) for code in report.offices_invited
    )
    default_submitted_at = datetime.datetime.combine(
        cycle.closes_on, datetime.time(12), tzinfo=datetime.UTC
    )
    reason = "imported from " + (source or "an exchange file")
    recommendations = {r.number: r for r in cycle.framework.recommendations.all()}
    for entry in parsed.assessments:
        if entry.unchanged:
            continue
        _create_assessment(
            cycle=cycle,
            office=offices[entry.office],
            entry=entry,
            recommendations=recommendations,
            submitted_at=entry.submitted_at or default_submitted_at,
            user=user,
            reason=reason,
        )

    from kpi.services import schedule_recompute

    schedule_recompute(cycle)
    return report


def _create_assessment(
    *, cycle, office, entry: ParsedAssessment, recommendations, submitted_at, user, reason
) -> Assessment:
    values = entry.values
    assessment = Assessment.objects.create(
        cycle=cycle,
        office=office,
        status=Assessment.Status.SUBMITTED,
        version=2,
        submitted_at=submitted_at,
        updated_by=user,
        **{question.name: values[question.name] for question in q.OVERALL},
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            recommendation=recommendation,
            **{
                question.name: values[q.key(number, question.name)]
                for question in q.PER_RECOMMENDATION
            },
        )
        for number, recommendation in sorted(recommendations.items())
    )
    # The creation carries the imported answers, so that the history replays every value.
    changes = [
        {"field": field_key, "old": _default(q.parse_key(field_key)[1]), "new": value}
        for field_key, value in values.items()
        if value != _default(q.parse_key(field_key)[1])
    ]
    AssessmentEvent.objects.bulk_create(
        [
            AssessmentEvent(
                assessment=assessment,
                kind=AssessmentEvent.Kind.CREATE,
                user=user,
                version=1,
                changes=changes,
            ),
            AssessmentEvent(
                assessment=assessment,
                kind=AssessmentEvent.Kind.SUBMIT,
                user=user,
                version=2,
                reason=reason,
            ),
        ]
    )
    return assessment


# --- Exporting -------------------------------------------------------------------------------


def _none_if_blank(value):
    return None if value == "" else value


def survey_export(*, cycle: Cycle) -> dict:
    """The cycle's submitted assessments and invited offices, in the exchange format."""
    numbers = list(
        cycle.framework.recommendations.order_by("number").values_list("number", flat=True)
    )
    assessments = [
        # A reopened submission is exported as it was submitted, not as it is being revised.
        assessment
        if assessment.status == Assessment.Status.SUBMITTED
        else submitted_version(assessment)
        for assessment in cycle.assessments.filter(submitted_at__isnull=False)
        .select_related("office")
        .prefetch_related("answers__recommendation")
        .order_by("office__code")
    ]
    offices = {office.code: office for office in cycle.invited_offices.all()}
    offices.update({assessment.office.code: assessment.office for assessment in assessments})
    return {
        "format": FORMAT,
        "version": VERSION,
        "cycle": {
            "year": cycle.year,
            "framework": cycle.framework.version,
            "opens_on": cycle.opens_on.isoformat(),
            "closes_on": cycle.closes_on.isoformat(),
        },
        "offices": [
            {
                "code": office.code,
                "name": office.name,
                "region": office.region,
                "office_type": office.office_type,
            }
            for _code, office in sorted(offices.items())
        ],
        "assessments": [_export_assessment(a, numbers) for a in assessments],
    }


def _export_assessment(assessment: Assessment, numbers) -> dict:
    values = stored_values(assessment, numbers)
    answers = []
    for number in numbers:
        answer = {"recommendation": number}
        for exchange_name, name in ANSWER_FIELDS.items():
            value = values[q.key(number, name)]
            answer[exchange_name] = _none_if_blank(value) if name == "status" else value
        answer["private"] = [
            name for name in ANSWER_PRIVATE if values[q.key(number, f"{name}_private")]
        ]
        answers.append(answer)
    return {
        "office": assessment.office.code,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "answers": answers,
        **{name: values[name] for name in OVERALL_TEXTS},
        "private": [name for name in OVERALL_PRIVATE if values[f"{name}_private"]],
    }
