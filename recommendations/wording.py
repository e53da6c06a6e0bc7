"""The framework's wording as a reader sees it: in their language where a translation
exists, else in the source language (English), each text knowing which language it is in.

This is the one place of the fallback rule (``docs/framework-translations.md``); the pages
mark a fallen-back text with ``lang`` (the ``langattrs`` filter) and say once per block that
it is not available in the reader's language (``recommendations/_fallback_note.html``).
"""

import hashlib

from django.conf import settings
from django.utils.translation import get_language

from recommendations.models import SOURCE_LANGUAGE, column


class Text(str):
    """A text and the language it is written in; it reads as a plain string anywhere."""

    lang: str

    def __new__(cls, value: str, lang: str):
        text = super().__new__(cls, value)
        text.lang = lang
        return text

    def __reduce__(self):  # kept in the cache
        return (Text, (str(self), self.lang))


def reader_language() -> str:
    language = get_language() or settings.LANGUAGE_CODE
    if language in settings.MODELTRANSLATION_LANGUAGES:
        return language
    base = language.split("-")[0]
    return base if base in settings.MODELTRANSLATION_LANGUAGES else SOURCE_LANGUAGE


def text(row, name: str, language: str | None = None) -> Text:
    """``row.name`` in the reader's language, or in the source language."""
    language = language or reader_language()
    value = getattr(row, column(name, language), None)
    if value:
        return Text(value, language)
    return Text(getattr(row, column(name, SOURCE_LANGUAGE), None) or "", SOURCE_LANGUAGE)


def falls_back(*texts) -> bool:
    """Whether any of ``texts`` is shown in another language than the reader's."""
    language = reader_language()
    return any(isinstance(item, Text) and item and item.lang != language for item in texts)


def path(levels, actions) -> dict:
    """A recommendation's maturity matrix read as a path: each level in order, each with
    the recommended actions that typically move an office from it to the next; and the
    actions tied to no step (or to a step the matrix lacks), to list after.

    ``levels`` are ``(level, name, descriptor)``, ``actions`` ``(text, moves_from_level)``,
    each in the order to show.
    """
    levels = sorted(levels, key=lambda item: item[0])
    numbers = {number for number, _name, _descriptor in levels}
    by_step: dict[int, list] = {}
    other = []
    for action, step in actions:
        if step in numbers and step + 1 in numbers:
            by_step.setdefault(step, []).append(action)
        else:
            other.append(action)
    rungs = [
        {"level": number, "name": name, "descriptor": descriptor, "actions": []}
        for number, name, descriptor in levels
    ]
    for rung, following in zip(rungs, [*rungs[1:], None], strict=True):
        rung["next"] = following
        rung["actions"] = by_step.get(rung["level"], []) if following else []
    return {"rungs": rungs, "other": other}


def recommendation_block(recommendation) -> dict:
    """A recommendation as the framework page shows it: each text in the reader's language
    or in English, and whether the block says that some of it is in English."""
    block = {
        "number": recommendation.number,
        "short_title": text(recommendation, "short_title"),
        "statement": text(recommendation, "statement"),
        "gist": text(recommendation, "gist"),
        "actions": [text(action, "text") for action in recommendation.actions.all()],
        "levels": [
            {
                "level": level.level,
                "name": text(level, "name"),
                "descriptor": text(level, "descriptor"),
            }
            for level in recommendation.levels.all()
        ],
    }
    block["path"] = path(
        ((lv["level"], lv["name"], lv["descriptor"]) for lv in block["levels"]),
        zip(
            block["actions"],
            (action.moves_from_level for action in recommendation.actions.all()),
            strict=True,
        ),
    )
    block["fallback"] = falls_back(
        block["short_title"],
        block["statement"],
        block["gist"],
        *block["actions"],
        *(t for level in block["levels"] for t in (level["name"], level["descriptor"])),
    )
    return block


def translation_of(framework, language: str | None = None):
    """The record of the framework's translation in the reader's language (official or
    working), or None: for English, the source, and for a language not translated yet."""
    language = language or reader_language()
    if language == SOURCE_LANGUAGE:
        return None
    return framework.translations.filter(language=language).first()


# A day: the key changes anyway when a translation is loaded or edited.
KIND_SECONDS = 60 * 60 * 24


def translation_kind(framework) -> str:
    """``official``, ``working`` or "" (English, or no translation): for the form's note,
    read once per framework change and language like the form's texts."""
    from portal.cache import kept

    language = reader_language()
    if language == SOURCE_LANGUAGE:
        return ""
    key = f"framework-translation-kind:{framework.pk}:{framework.stamp}:{language}"

    def read() -> str:
        record = translation_of(framework, language)
        return record.kind if record else ""

    return kept(key, KIND_SECONDS, read)


# --- How old a translation is ----------------------------------------------------------------
#
# Each translated text remembers a short hash of the English it translated
# (``FrameworkTranslation.source_hashes``), so that a translation whose English changed
# since is found (``selectors.stale_translations``). The keys name a text by what stays the
# same across a copy of the framework (numbers, positions, levels, question names), not by
# row: a copy carries the hashes as they are.

SOURCE_HASH_LENGTH = 12


def source_hash(english: str) -> str:
    return hashlib.sha256(english.encode()).hexdigest()[:SOURCE_HASH_LENGTH]


def text_key(row, name: str) -> str:
    """``recommendation:3:statement``, ``action:3:1:text``, ``level:3:2:descriptor``,
    ``label:status``, ``framework:title``. ``row`` may be a historical model's (a data
    migration's): only its class name and fields are read."""
    kind = type(row).__name__
    if kind == "Framework":
        return f"framework:{name}"
    if kind == "Recommendation":
        return f"recommendation:{row.number}:{name}"
    if kind == "RecommendedAction":
        return f"action:{row.recommendation.number}:{row.position}:{name}"
    if kind == "MaturityLevel":
        return f"level:{row.recommendation.number}:{row.level}:{name}"
    if kind == "QuestionLabel":
        return f"label:{row.name}"
    raise ValueError(f"{kind} has no translated text")


def framework_texts(framework, models=None):
    """``(key, row, field)`` for every translatable text of ``framework``. ``models``: a
    namespace of the (historical) models, as ``exchange.MODELS``."""
    from recommendations import models as live

    models = models or live
    rows = [
        (models.Framework.objects.filter(pk=framework.pk), live.Framework),
        (models.Recommendation.objects.filter(framework_id=framework.pk), live.Recommendation),
        (
            models.RecommendedAction.objects.filter(
                recommendation__framework_id=framework.pk
            ).select_related("recommendation"),
            live.RecommendedAction,
        ),
        (
            models.MaturityLevel.objects.filter(
                recommendation__framework_id=framework.pk
            ).select_related("recommendation"),
            live.MaturityLevel,
        ),
        (models.QuestionLabel.objects.filter(framework_id=framework.pk), live.QuestionLabel),
    ]
    for queryset, model in rows:
        for row in queryset.order_by():
            for name in model.translated_fields:
                yield text_key(row, name), row, name


def translated_source_hashes(framework, language: str, models=None) -> dict[str, str]:
    """The hash of the English of every text ``language`` has a translation of, as it is
    now: what a file just loaded translates (and, on upgrade, what the translations already
    there are taken to translate)."""
    return {
        key: source_hash(getattr(row, column(name, SOURCE_LANGUAGE)) or "")
        for key, row, name in framework_texts(framework, models)
        if getattr(row, column(name, language), None)
    }
