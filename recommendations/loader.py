"""Loads a framework from its JSON description (``data/framework_2024.json``).

Takes the model classes as arguments so that a data migration can pass its
historical models.
"""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TRANSLATIONS_DIR = DATA_DIR / "translations"
SOURCE_LANGUAGE = "en"


def read_framework_file(name: str = "framework_2024.json") -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def shipped_translation_files(version: str) -> list[Path]:
    """The working translations shipped for framework ``version``, one file a language."""
    return sorted(TRANSLATIONS_DIR.glob(f"framework_{version}.*.json"))


def source(model, **values) -> dict:
    """``values`` as the source (English) wording of a ``model`` row.

    The English columns hold the source. On the registered model the plain name would
    mean "the active language" (modeltranslation), so only the English column is given; a
    historical model (a data migration) has plain columns that must be filled too, and one
    from before the translations has only those.
    """
    from modeltranslation.fields import TranslationFieldDescriptor

    names = {field.name for field in model._meta.get_fields()}
    result = {}
    for name, value in values.items():
        english = f"{name}_{SOURCE_LANGUAGE}"
        if english in names:
            result[english] = value
        if not isinstance(getattr(model, name, None), TranslationFieldDescriptor):
            result[name] = value
    return result


def actions_of(item: dict) -> list[tuple[int, str, int | None]]:
    """A recommendation's actions in its file: ``(position, text, moves_from_level)``.

    An action is an object, ``{"text": ..., "moves_from_level": 2}`` (the step of the
    maturity matrix it typically moves an office across, from that level to the next; null
    when it is tied to none), or, as files before the steps had it, the text alone.
    """
    result = []
    for position, action in enumerate(item["actions"], start=1):
        if isinstance(action, str):
            action = {"text": action}
        result.append((position, action["text"], action.get("moves_from_level")))
    return result


def load_framework(data: dict, *, status: str, models) -> object:
    Framework, Recommendation, RecommendedAction, MaturityLevel, *more = models
    framework = Framework.objects.create(
        version=data["version"],
        document_symbol=data.get("document_symbol", ""),
        adopted_on=data.get("adopted_on"),
        source_note=data.get("source_note", ""),
        status=status,
        **source(Framework, title=data["title"]),
    )
    for item in data["recommendations"]:
        recommendation = Recommendation.objects.create(
            framework=framework,
            number=item["number"],
            **source(
                Recommendation,
                short_title=item["short_title"],
                statement=item["statement"],
                gist=item.get("gist", ""),
            ),
        )
        # A historical model from before the steps has no column for them (migration 0002):
        # migration 0010 sets them on the framework it loaded.
        stepped = any(f.name == "moves_from_level" for f in RecommendedAction._meta.fields)
        RecommendedAction.objects.bulk_create(
            RecommendedAction(
                recommendation=recommendation,
                position=position,
                **source(RecommendedAction, text=text),
                **({"moves_from_level": step} if stepped else {}),
            )
            for position, text, step in actions_of(item)
        )
        MaturityLevel.objects.bulk_create(
            MaturityLevel(
                recommendation=recommendation,
                level=level["level"],
                **source(MaturityLevel, name=level["name"], descriptor=level["descriptor"]),
            )
            for level in item["levels"]
        )
    if more:
        load_question_labels(framework, data, QuestionLabel=more[0])
    return framework


def load_question_labels(framework, data: dict, *, QuestionLabel) -> None:
    """The framework's question labels (the ``questions`` object of its file), in English."""
    QuestionLabel.objects.bulk_create(
        QuestionLabel(framework=framework, name=name, **source(QuestionLabel, label=label))
        for name, label in data.get("questions", {}).items()
    )
