"""What every export builder returns, and the helpers they share."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from assessments.models import Assessment, Cycle
from assessments.submissions import submitted_assessments

Progress = Callable[[int, str], None]


def no_progress(percent: int, step: str) -> None:
    """The progress callback of a build run outside a job (the command line, tests)."""


@dataclass
class Output:
    content: bytes
    filename: str
    content_type: str
    pages: int | None = None
    # The submissions the file was built from: office code -> assessment version.
    answers: dict[str, int] = field(default_factory=dict)
    answers_hash: str = ""


def submitted_versions(cycle: Cycle, office=None) -> tuple[dict[str, int], str]:
    """Which submissions, at which version, a file of ``cycle`` is built from, and a hash of
    them. Every change of an answer bumps its assessment's version, so an equal hash means
    equal answers."""
    submitted = Assessment.objects.filter(cycle=cycle)
    if office is not None:
        submitted = submitted.filter(office=office)
    # A reopened submission is read as last submitted: its draft edits change nothing here.
    rows = [
        (assessment.office.code, assessment.version, assessment.pk)
        for assessment in submitted_assessments(submitted.order_by("office__code"))
    ]
    versions = {code: version for code, version, _pk in rows}
    payload = json.dumps([cycle.year, [list(row) for row in rows]], separators=(",", ":"))
    return versions, hashlib.sha256(payload.encode()).hexdigest()


def read_consistently(cycle: Cycle, read, *, office=None, attempts: int = 3):
    """``read()``, with the submissions (office -> version) and hash it was read from.

    The reads are separate queries: a save landing between them would make a file claim
    versions it does not hold. Every save bumps a version, so an unchanged hash after the
    read means nothing changed during it; otherwise it is read again.
    """
    for _attempt in range(attempts):
        versions, answers_hash = submitted_versions(cycle, office)
        result = read()
        if submitted_versions(cycle, office)[1] == answers_hash:
            break
    return result, versions, answers_hash


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A spreadsheet cell value that cannot run as a formula (OWASP's CSV injection advice):
    text starting with = + - @ tab or carriage return gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
