"""A framework's wording in one language, in and out: the translation file
(``docs/framework-translations.md``).

``translation_parse`` checks a whole file against the framework it names and collects every
problem with its place (``recommendations[3].levels[2].descriptor``), in the survey import's
style and with its reader; ``translation_import`` writes a file that has none, all or
nothing; ``translation_export`` writes a framework's wording in a language in the same
format, so that a file round-trips.

The functions take the models as a namespace so that a data migration can load the shipped
files with its historical models.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.exchange import _Reader
from portal.problems import Problem
from portal.templatetags.written_text import isolated
from recommendations.models import (
    LEVELS,
    SOURCE_LANGUAGE,
    Framework,
    FrameworkTranslation,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
    column,
)
from recommendations.wording import translated_source_hashes

FORMAT = "ict-maturity-framework-translation"
FORMAT_VERSION = 1
TOP_KEYS = (
    "format",
    "format_version",
    "framework",
    "language",
    "kind",
    "note",
    "title",
    "recommendations",
    "questions",
)
RECOMMENDATION_KEYS = ("number", "short_title", "statement", "gist", "actions", "levels")
ACTION_KEYS = ("position", "text")
LEVEL_KEYS = ("level", "name", "descriptor")
# Every question a file words, in the questionnaire's order (the "not for publication"
# marks are the portal's own wording, not the framework's).
QUESTION_NAMES = (
    "status",
    "status_comment",
    "focus",
    "focus_comment",
    "low_priority",
    "low_priority_comment",
    "challenge",
    "challenge_comment",
    "discuss",
    "maturity_current",
    "maturity_target",
    "evidence",
    "evidence_url",
    "proposals",
    "other_comments",
)
# Long enough for any statement; the short fields take their column's length.
TEXT_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 1000

MODELS = SimpleNamespace(
    Framework=Framework,
    Recommendation=Recommendation,
    RecommendedAction=RecommendedAction,
    MaturityLevel=MaturityLevel,
    QuestionLabel=QuestionLabel,
    FrameworkTranslation=FrameworkTranslation,
)


class TranslationInvalid(Exception):
    """The file has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the translation file")
        self.problems = problems


@dataclass
class ParsedTranslation:
    framework: object | None = None
    language: str = ""
    kind: str = ""
    note: str = ""
    # What the file words, by model name, row and field: {"Recommendation": {pk: {...}}}.
    texts: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def put(self, model, pk: int, name: str, value: str) -> None:
        self.texts.setdefault(model.__name__, {}).setdefault(pk, {})[name] = value


@dataclass
class TranslationReport:
    framework: str
    language: str
    kind: str
    dry_run: bool
    changed: int  # texts whose wording in this language changes
    total: int  # texts in the file
    previous_kind: str = ""  # the kind it replaces ("" when the language had none)

    @property
    def is_source(self) -> bool:
        return self.language == SOURCE_LANGUAGE


def language_codes() -> tuple[str, ...]:
    return tuple(settings.MODELTRANSLATION_LANGUAGES)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length or TEXT_MAX_LENGTH


class _FileReader(_Reader):
    def wording(self, value, place: str, model, name: str) -> str | None:
        """A text the file must give: missing, null or empty is a problem."""
        if value is None:
            self.problem(place, _("Missing: every text of the framework must be given."))
            return None
        if isinstance(value, str) and not value.strip():
            self.problem(place, _("Empty: give the wording in this language."))
            return None
        return self.text(value, place, _max_length(model, name), lines=True)


def translation_parse(data, *, models=MODELS) -> ParsedTranslation:
    """Checks the whole document against the format and the framework it names; never
    writes. Every problem is collected in ``parsed.problems``."""
    reader = _FileReader()
    parsed = ParsedTranslation(problems=reader.problems)
    document = reader.mapping(data, "", TOP_KEYS)
    if document is None:
        return parsed
    if document.get("format") != FORMAT:
        reader.problem("format", _("Must be “%(format)s”.") % {"format": FORMAT})
    if document.get("format_version") != FORMAT_VERSION:
        reader.problem(
            "format_version",
            _("Must be %(version)d: the only version of the format so far.")
            % {"version": FORMAT_VERSION},
        )
    _parse_language(reader, parsed, document)
    kind = document.get("kind")
    if kind not in FrameworkTranslation.Kind.values:
        reader.problem(
            "kind",
            _("Must be “official” (the committee’s published wording) or “working” (ours)."),
        )
    else:
        parsed.kind = kind
    note = reader.text(document.get("note"), "note", NOTE_MAX_LENGTH, lines=True)
    parsed.note = note or ""
    _parse_framework(reader, parsed, document, models)
    framework = parsed.framework
    if framework is None:
        return parsed
    title = reader.wording(document.get("title"), "title", models.Framework, "title")
    if title is not None:
        parsed.put(models.Framework, framework.pk, "title", title)
    _parse_recommendations(reader, parsed, document.get("recommendations"), models)
    _parse_questions(reader, parsed, document.get("questions"), models)
    return parsed


def _parse_language(reader: _Reader, parsed: ParsedTranslation, document: dict) -> None:
    language = document.get("language")
    if language not in language_codes():
        reader.problem(
            "language",
            _("“%(language)s” is not a language of the portal; use one of %(codes)s.")
            % {"language": language, "codes": ", ".join(language_codes())},
        )
        return
    parsed.language = language


def _parse_framework(reader: _Reader, parsed: ParsedTranslation, document: dict, models) -> None:
    version = document.get("framework")
    framework = (
        models.Framework.objects.filter(version=version).first()
        if isinstance(version, str)
        else None
    )
    if framework is None:
        reader.problem(
            "framework",
            _("There is no framework “%(version)s” in the portal.")
            % {"version": isolated(version)},
        )
        return
    parsed.framework = framework
    if parsed.language == SOURCE_LANGUAGE and getattr(framework, "is_frozen", False):
        reader.problem(
            "language",
            _(
                "This file would change the English source wording of framework %(version)s, "
                "which is read-only: assessments were submitted against it. Make a new "
                "version instead."
            )
            % {"version": isolated(framework.version)},
        )


def _by_number(reader, items, place, key, keys, expected, unknown):
    """The file's items by their number (``key``), each with its index; unknown numbers and
    repeats are problems, and so is every expected number the file lacks."""
    found = {}
    for index, item in enumerate(items):
        where = f"{place}[{index}]"
        item = reader.mapping(item, where, keys)
        if item is None:
            continue
        number = item.get(key)
        if number not in expected:
            reader.problem(f"{where}.{key}", unknown(number))
        elif number in found:
            reader.problem(
                f"{where}.{key}",
                _("%(number)s appears twice; the first is at %(place)s[%(index)d].")
                % {"number": number, "place": place, "index": found[number][0]},
            )
        else:
            found[number] = (index, item)
    for number in expected:
        if number not in found:
            reader.problem(
                place,
                _("Missing: no item with “%(key)s”: %(number)s.") % {"key": key, "number": number},
            )
    return found


def _parse_recommendations(reader, parsed: ParsedTranslation, value, models) -> None:
    stored = {
        recommendation.number: recommendation
        for recommendation in models.Recommendation.objects.filter(framework=parsed.framework)
    }
    actions = {}
    for action in models.RecommendedAction.objects.filter(
        recommendation__framework=parsed.framework
    ):
        actions.setdefault(action.recommendation_id, {})[action.position] = action
    levels = {}
    for level in models.MaturityLevel.objects.filter(recommendation__framework=parsed.framework):
        levels.setdefault(level.recommendation_id, {})[level.level] = level
    items = reader.items(value, "recommendations", required=True)
    found = _by_number(
        reader,
        items,
        "recommendations",
        "number",
        RECOMMENDATION_KEYS,
        sorted(stored),
        lambda number: (
            _("Framework %(version)s has no recommendation %(number)s.")
            % {"version": isolated(parsed.framework.version), "number": number}
        ),
    )
    for number, (index, item) in found.items():
        place = f"recommendations[{index}]"
        recommendation = stored[number]
        for name in ("short_title", "statement", "gist"):
            if name == "gist" and not _english(recommendation, "gist") and not item.get(name):
                continue  # nothing to translate
            text = reader.wording(item.get(name), f"{place}.{name}", models.Recommendation, name)
            if text is not None:
                parsed.put(models.Recommendation, recommendation.pk, name, text)
        own_actions = actions.get(recommendation.pk, {})
        for position, (action_index, action) in _by_number(
            reader,
            reader.items(item.get("actions"), f"{place}.actions", required=True),
            f"{place}.actions",
            "position",
            ACTION_KEYS,
            sorted(own_actions),
            lambda position, number=number: (
                _("Recommendation %(number)s has no action at position %(position)s.")
                % {"number": number, "position": position}
            ),
        ).items():
            where = f"{place}.actions[{action_index}].text"
            text = reader.wording(action.get("text"), where, models.RecommendedAction, "text")
            if text is not None:
                parsed.put(models.RecommendedAction, own_actions[position].pk, "text", text)
        own_levels = levels.get(recommendation.pk, {})
        for level, (level_index, item_level) in _by_number(
            reader,
            reader.items(item.get("levels"), f"{place}.levels", required=True),
            f"{place}.levels",
            "level",
            LEVEL_KEYS,
            list(LEVELS),
            lambda level: (
                _("There is no maturity level %(level)s; the levels are 1 to 5.") % {"level": level}
            ),
        ).items():
            if level not in own_levels:
                continue  # a framework being written may lack a level: nothing to translate
            for name in ("name", "descriptor"):
                where = f"{place}.levels[{level_index}].{name}"
                text = reader.wording(item_level.get(name), where, models.MaturityLevel, name)
                if text is not None:
                    parsed.put(models.MaturityLevel, own_levels[level].pk, name, text)


def _english(row, name: str) -> str:
    return getattr(row, column(name, SOURCE_LANGUAGE)) or ""


def _parse_questions(reader, parsed: ParsedTranslation, value, models) -> None:
    questions = reader.mapping(value, "questions", QUESTION_NAMES)
    if questions is None:
        return
    stored = {
        label.name: label
        for label in models.QuestionLabel.objects.filter(framework=parsed.framework)
    }
    for name in QUESTION_NAMES:
        where = f"questions.{name}"
        text = reader.wording(questions.get(name), where, models.QuestionLabel, "label")
        if text is None:
            continue
        if name in stored:
            parsed.put(models.QuestionLabel, stored[name].pk, name, text)
        else:
            # A framework loaded before it had labels: the file gives them.
            parsed.texts.setdefault("new QuestionLabel", {})[name] = text


# --- Writing ---------------------------------------------------------------------------------


def translation_import(
    *, data, user=None, dry_run: bool = False, source: str = ""
) -> TranslationReport:
    """Checks the file, then (unless ``dry_run``) writes its wording; all or nothing.

    Raises ``TranslationInvalid`` with every problem when the file has any."""
    parsed = translation_parse(data)
    if parsed.problems:
        raise TranslationInvalid(parsed.problems)
    report = _report(parsed, dry_run=dry_run)
    if not dry_run:
        translation_apply(parsed, user=user, source=source)
        # Not in translation_apply: a data migration loads the shipped files through it.
        from portal.audit.models import AuditEvent
        from portal.audit.services import audit_record

        audit_record(
            kind=AuditEvent.Kind.FRAMEWORK_TRANSLATED,
            user=user,
            target=parsed.framework,
            detail={
                "language": parsed.language,
                "kind": parsed.kind,
                "texts": report.changed,
                "file": source,
            },
        )
    return report


def _report(parsed: ParsedTranslation, *, dry_run: bool, models=MODELS) -> TranslationReport:
    changed = total = 0
    for model_name, rows in parsed.texts.items():
        if model_name == "new QuestionLabel":
            changed += len(rows)
            total += len(rows)
            continue
        model = getattr(models, model_name)
        stored = model.objects.in_bulk(list(rows))
        for pk, texts in rows.items():
            for name, text in texts.items():
                total += 1
                attribute = "label" if model_name == "QuestionLabel" else name
                if getattr(stored[pk], column(attribute, parsed.language)) != text:
                    changed += 1
    previous = models.FrameworkTranslation.objects.filter(
        framework=parsed.framework, language=parsed.language
    ).first()
    return TranslationReport(
        framework=parsed.framework.version,
        language=parsed.language,
        kind=parsed.kind,
        dry_run=dry_run,
        changed=changed,
        total=total,
        previous_kind=previous.kind if previous else "",
    )


@transaction.atomic
def translation_apply(
    parsed: ParsedTranslation, *, user=None, source: str = "", models=MODELS
) -> None:
    """Writes a checked file's wording into its language's columns and records its kind.

    ``bulk_update`` does not run ``FrameworkPart.save()``: a translation may change on a
    frozen framework (``_parse_framework`` refuses a source file for one), and the
    framework's stamp is moved once below instead of once a row."""
    language = parsed.language
    for model_name, rows in parsed.texts.items():
        if model_name == "new QuestionLabel":
            models.QuestionLabel.objects.bulk_create(
                models.QuestionLabel(
                    framework=parsed.framework,
                    name=name,
                    **_new_label(models, name, text, language),
                )
                for name, text in rows.items()
            )
            continue
        model = getattr(models, model_name)
        objects = model.objects.in_bulk(list(rows))
        columns = set()
        for pk, texts in rows.items():
            for name, text in texts.items():
                attribute = "label" if model_name == "QuestionLabel" else name
                setattr(objects[pk], column(attribute, language), text)
                columns.add(column(attribute, language))
        model.objects.bulk_update(list(objects.values()), sorted(columns))
    if language != SOURCE_LANGUAGE:
        defaults = {
            "kind": parsed.kind,
            "note": parsed.note,
            "source": source[:200],
            "loaded_by": user,
            "loaded_at": timezone.now(),
        }
        # A file is complete: every text now translates today's English. (The data
        # migration that ships the first files runs before the field exists; the one that
        # adds it records the hashes of what those loaded.)
        if _has_field(models.FrameworkTranslation, "source_hashes"):
            defaults["source_hashes"] = translated_source_hashes(parsed.framework, language, models)
        models.FrameworkTranslation.objects.update_or_create(
            framework=parsed.framework, language=language, defaults=defaults
        )
    models.Framework.objects.filter(pk=parsed.framework.pk).update(updated_at=timezone.now())


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def _new_label(models, name: str, text: str, language: str) -> dict:
    """A label for a framework that had none: its English is the portal's own wording of
    the question (what the framework was asked with so far), unless the file is English."""
    from django.utils import translation

    from assessments.questionnaire import QUESTIONS
    from recommendations.loader import source

    if language == SOURCE_LANGUAGE:
        return source(models.QuestionLabel, label=text)
    with translation.override(SOURCE_LANGUAGE):
        english = str(QUESTIONS[name].label)
    return {
        **source(models.QuestionLabel, label=english),
        column("label", language): text,
    }


def translations_load_shipped(
    *, version: str = "2024", models=MODELS, only_missing: bool = False
) -> list[str]:
    """Loads the working translations shipped with the portal for a framework (the data
    migration and ``demo`` call it); a file with problems stops everything. Returns the
    languages loaded. ``only_missing``: leaves alone a language the portal has already
    (loaded or edited by the secretariat)."""
    from portal import safejson
    from recommendations.loader import shipped_translation_files

    loaded = []
    for path in shipped_translation_files(version):
        data = safejson.loads(path.read_text(encoding="utf-8"))
        parsed = translation_parse(data, models=models)
        if parsed.problems:
            raise TranslationInvalid(parsed.problems)
        if parsed.language == SOURCE_LANGUAGE:
            continue  # the source is the framework's own file
        if (
            only_missing
            and models.FrameworkTranslation.objects.filter(
                framework=parsed.framework, language=parsed.language
            ).exists()
        ):
            continue
        translation_apply(parsed, source=path.name, models=models)
        loaded.append(parsed.language)
    return loaded


# --- Reading out -----------------------------------------------------------------------------


def translation_export(*, framework, language: str) -> dict:
    """The framework's wording in ``language`` as a translation file. Texts not translated
    yet are left out (null), so that the file says what is missing when it is loaded back."""

    def text(row, name: str):
        return getattr(row, column(name, language)) or None

    record = framework.translations.filter(language=language).first()
    recommendations = framework.recommendations.order_by("number").prefetch_related(
        "actions", "levels"
    )
    labels = {label.name: label for label in framework.questions.all()}
    kind = record.kind if record else FrameworkTranslation.Kind.WORKING
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "framework": framework.version,
        "language": language,
        "kind": FrameworkTranslation.Kind.OFFICIAL if language == SOURCE_LANGUAGE else kind,
        "note": record.note if record else "",
        "title": text(framework, "title"),
        "recommendations": [
            {
                "number": recommendation.number,
                "short_title": text(recommendation, "short_title"),
                "statement": text(recommendation, "statement"),
                "gist": text(recommendation, "gist"),
                "actions": [
                    {"position": action.position, "text": text(action, "text")}
                    for action in sorted(recommendation.actions.all(), key=lambda a: a.position)
                ],
                "levels": [
                    {
                        "level": level.level,
                        "name": text(level, "name"),
                        "descriptor": text(level, "descriptor"),
                    }
                    for level in sorted(recommendation.levels.all(), key=lambda lv: lv.level)
                ],
            }
            for recommendation in recommendations
        ],
        "questions": {
            name: text(labels[name], "label") if name in labels else None for name in QUESTION_NAMES
        },
    }
