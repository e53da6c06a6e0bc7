"""The questionnaire's fields, named once.

Every answer has a key: ``r3-status`` is the status of recommendation 3, ``proposals`` an
overall answer. The form, the save service, the history and the exports all use these keys.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments.models import COMMENT_MAX_LENGTH, LONG_TEXT_MAX_LENGTH, Answer
from portal.cache import kept
from recommendations.wording import Text, reader_language
from recommendations.wording import text as wording_text


@dataclass(frozen=True)
class Question:
    name: str  # the Answer or Assessment model field
    kind: str  # "choice", "text", "flag", "level", "url", "private"
    label: str  # the portal's own wording; a framework may word it (``labels_for``)
    max_length: int | None = None
    private_of: str | None = None  # for "private" marks: the text they belong to


PER_RECOMMENDATION = [
    Question("status", "choice", _("Implementation status")),
    Question("status_comment", "text", _("Comments on the status"), COMMENT_MAX_LENGTH),
    Question(
        "status_comment_private", "private", _("Not for publication"), private_of="status_comment"
    ),
    Question("focus", "flag", _("A current focus of our office")),
    Question("focus_comment", "text", _("Related projects"), COMMENT_MAX_LENGTH),
    Question(
        "focus_comment_private", "private", _("Not for publication"), private_of="focus_comment"
    ),
    Question("low_priority", "flag", _("A low priority for our office")),
    Question("low_priority_comment", "text", _("Why it is a low priority"), COMMENT_MAX_LENGTH),
    Question(
        "low_priority_comment_private",
        "private",
        _("Not for publication"),
        private_of="low_priority_comment",
    ),
    Question("challenge", "flag", _("A big implementation challenge")),
    Question("challenge_comment", "text", _("Why it is a challenge"), COMMENT_MAX_LENGTH),
    Question(
        "challenge_comment_private",
        "private",
        _("Not for publication"),
        private_of="challenge_comment",
    ),
    Question("discuss", "flag", _("Discuss or demonstrate it at future task-force meetings")),
    Question("maturity_current", "level", _("Current maturity level")),
    Question("maturity_target", "level", _("Target level for next year")),
    Question("evidence", "text", _("Evidence"), COMMENT_MAX_LENGTH),
    Question("evidence_private", "private", _("Not for publication"), private_of="evidence"),
    Question("evidence_url", "url", _("Link to evidence"), 500),
]

OVERALL = [
    Question(
        "proposals",
        "text",
        _("Proposals to improve or update the recommendations"),
        LONG_TEXT_MAX_LENGTH,
    ),
    Question("proposals_private", "private", _("Not for publication"), private_of="proposals"),
    Question(
        "other_comments",
        "text",
        _("Anything else you would like to tell the task force"),
        LONG_TEXT_MAX_LENGTH,
    ),
    Question(
        "other_comments_private", "private", _("Not for publication"), private_of="other_comments"
    ),
]

QUESTIONS = {question.name: question for question in PER_RECOMMENDATION + OVERALL}
# The free-text answers about a recommendation, in questionnaire order; each has a
# "not for publication" mark named "<name>_private".
TEXT_ANSWERS = tuple(question.name for question in PER_RECOMMENDATION if question.kind == "text")
# The yes/no questions (Q4, Q5, Q6, Q8): None is "not answered" (not yet, in a draft; not
# asked, in an older survey's submission).
FLAGS = tuple(question.name for question in PER_RECOMMENDATION if question.kind == "flag")
# What a section needs before the assessment can be submitted.
REQUIRED = ("status", "maturity_current")
# The same rule as a filter on answers, for counting complete sections in SQL.
COMPLETE_ANSWER = ~Q(status="") & Q(maturity_current__isnull=False)


def lacking(answer: Answer | None) -> list[str]:
    """The questions of ``REQUIRED`` that ``answer`` (None: no answer at all) leaves open."""
    return [name for name in REQUIRED if answer is None or getattr(answer, name) in (None, "")]


def is_complete(answer: Answer) -> bool:
    """``COMPLETE_ANSWER`` for an answer in hand."""
    return not lacking(answer)


STATUS_CHOICES = Answer.Status.choices


def key(number: int, name: str) -> str:
    return f"r{number}-{name}"


def parse_key(field_key: str) -> tuple[int | None, str]:
    """``"r3-status"`` → ``(3, "status")``; ``"proposals"`` → ``(None, "proposals")``."""
    if field_key.startswith("r") and "-" in field_key:
        number, name = field_key[1:].split("-", 1)
        if number.isdigit():
            return int(number), name
    return None, field_key


def all_keys(numbers) -> list[str]:
    return [key(n, q.name) for n in numbers for q in PER_RECOMMENDATION] + [q.name for q in OVERALL]


class Labels:
    """The questions' wording of one framework, in the reader's language: ``labels[name]``
    for a question, ``labels.of(field_key)`` for an answer of the history or an export."""

    def __init__(self, texts: dict[str, str] | None = None):
        self.texts = texts or {}

    def __getitem__(self, name: str) -> str:
        found = self.texts.get(name)
        if found is not None:
            return found
        question = QUESTIONS.get(name)
        return str(question.label) if question else name

    def of(self, field_key: str) -> str:
        number, name = parse_key(field_key)
        question = QUESTIONS.get(name)
        text = self[name]
        if question and question.private_of:
            # "Not for publication" alone would not say which comment it marks.
            text = _("%(comment)s – not for publication") % {"comment": self[question.private_of]}
        if number is None:
            return text
        return _("Recommendation %(number)s: %(question)s") % {"number": number, "question": text}


PORTAL_LABELS = Labels()
# A day: the key changes anyway with any change to the wording.
LABELS_SECONDS = 60 * 60 * 24


def labels_for(framework) -> Labels:
    """The one lookup of the questions' wording: the framework's labels in the reader's
    language; else, where the framework words a question as the portal does, the portal's
    own translation of it; else the framework's English. Read once per framework, change
    and language."""
    if framework is None:
        return PORTAL_LABELS
    language = reader_language()
    key = f"question-labels:{framework.pk}:{framework.stamp}:{language}"

    def read() -> dict:
        with translation.override("en"):
            portal_english = {name: str(question.label) for name, question in QUESTIONS.items()}
        texts = {}
        for row in framework.questions.all():
            found = wording_text(row, "label", language)
            if found.lang != language and found == portal_english.get(row.name):
                found = Text(str(QUESTIONS[row.name].label), language)
            texts[row.name] = found
        return texts

    return Labels(kept(key, LABELS_SECONDS, read))


def label(field_key: str, labels: Labels | None = None) -> str:
    return (labels or PORTAL_LABELS).of(field_key)


def display_value(field_key: str, value) -> str:
    """A stored value as a person reads it in the history and the conflict panel."""
    _number, name = parse_key(field_key)
    question = QUESTIONS.get(name)
    if value in (None, ""):
        return str(_("(empty)"))
    if question and question.kind == "choice":
        return str(dict(STATUS_CHOICES).get(value, value))
    if question and question.kind in ("flag", "private"):
        return str(_("yes") if value else _("no"))
    return str(value)
