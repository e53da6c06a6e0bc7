from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from recommendations import crosswalk, selectors
from recommendations.loader import load_framework, read_framework_file
from recommendations.models import (
    SOURCE_LANGUAGE,
    CrosswalkLink,
    Framework,
    FrameworkTranslation,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
    column,
)
from recommendations.wording import source_hash, text_key


@transaction.atomic
def framework_copy(*, framework: Framework, version: str, title: str = "") -> Framework:
    """A new draft framework with the wording of ``framework``, ready to edit."""
    titles = _all_languages(framework, "title")
    if title:
        titles[column("title", SOURCE_LANGUAGE)] = title
    copy = Framework.objects.create(
        version=version,
        **titles,
        document_symbol=framework.document_symbol,
        adopted_on=None,
        status=Framework.Status.DRAFT,
        source_note=framework.source_note,
        derived_from=framework,
    )
    recommendations = framework.recommendations.prefetch_related("actions", "levels")
    links = []
    for original in recommendations:
        recommendation = Recommendation.objects.create(
            framework=copy,
            number=original.number,
            **_all_languages(original, "short_title", "statement", "gist"),
        )
        # The copy starts as the same recommendations: its crosswalk is edited with them.
        links.append(
            CrosswalkLink(framework=copy, previous=original, recommendation=recommendation)
        )
        # bulk_create skips the freeze check in save(): the copy is a fresh draft anyway.
        RecommendedAction.objects.bulk_create(
            RecommendedAction(
                recommendation=recommendation,
                position=a.position,
                moves_from_level=a.moves_from_level,
                **_all_languages(a, "text"),
            )
            for a in original.actions.all()
        )
        MaturityLevel.objects.bulk_create(
            MaturityLevel(
                recommendation=recommendation,
                level=lv.level,
                **_all_languages(lv, "name", "descriptor"),
            )
            for lv in original.levels.all()
        )
    CrosswalkLink.objects.bulk_create(links)
    QuestionLabel.objects.bulk_create(
        QuestionLabel(framework=copy, name=label.name, **_all_languages(label, "label"))
        for label in framework.questions.all()
    )
    audit_record(
        kind=AuditEvent.Kind.FRAMEWORK_MADE, target=copy, detail={"copied_from": framework.version}
    )
    # The copy's translations start as working ones: its wording will change.
    FrameworkTranslation.objects.bulk_create(
        FrameworkTranslation(
            framework=copy,
            language=record.language,
            kind=FrameworkTranslation.Kind.WORKING,
            note=_("Copied from framework %(version)s.") % {"version": framework.version},
            # The texts are copied as they are, and what each translated with them: one
            # already older than its English stays so, and a new title makes the
            # translated titles older than it.
            source_hashes=dict(record.source_hashes or {}),
        )
        for record in framework.translations.all()
    )
    return copy


def _all_languages(row, *fields: str) -> dict:
    """Every language column of ``fields`` (the translations travel with a copy)."""
    from django.conf import settings

    return {
        column(name, language): getattr(row, column(name, language))
        for name in fields
        for language in settings.MODELTRANSLATION_LANGUAGES
    }


def framework_ensure_default() -> Framework:
    """The shipped 2024 framework, loaded again if it is missing (the data migration loads it)."""
    data = read_framework_file()
    existing = Framework.objects.filter(version=data["version"]).first()
    if existing is not None:
        return existing
    return load_framework(
        data,
        status=Framework.Status.ACTIVE,
        models=(Framework, Recommendation, RecommendedAction, MaturityLevel, QuestionLabel),
    )


@dataclass(frozen=True)
class Wording:
    """One text of a framework to translate: its row, field and source (English) text."""

    key: str  # the form field: ``Recommendation-12-statement``
    model: type
    row: object
    field: str
    source: str
    multiline: bool
    caption: str = ""  # what the text is: "Statement", "Level 3: descriptor"…
    text_key: str = ""  # the same text in any copy: ``recommendation:3:statement``

    def value(self, language: str) -> str:
        return getattr(self.row, column(self.field, language)) or ""


def framework_wordings(framework: Framework) -> list[dict]:
    """Every text of a framework, grouped as the edit page shows them: the title and the
    questions, then each recommendation with its actions and levels."""

    def wording(row, name: str, caption: str, multiline: bool = True) -> Wording:
        return Wording(
            key=f"{type(row).__name__}-{row.pk}-{name}",
            model=type(row),
            row=row,
            field=name,
            source=getattr(row, column(name, SOURCE_LANGUAGE)) or "",
            multiline=multiline,
            caption=caption,
            text_key=text_key(row, name),
        )

    groups = [
        {"title": _("Framework"), "wordings": [wording(framework, "title", _("Title"), False)]}
    ]
    recommendations = framework.recommendations.order_by("number").prefetch_related(
        "actions", "levels"
    )
    for recommendation in recommendations:
        items = [
            wording(recommendation, "short_title", _("Short title"), False),
            wording(recommendation, "statement", _("Statement")),
        ]
        if recommendation.gist_en:
            items.append(wording(recommendation, "gist", _("Gist")))
        items += [
            wording(action, "text", _("Action %(position)s") % {"position": action.position})
            for action in sorted(recommendation.actions.all(), key=_position)
        ]
        for level in sorted(recommendation.levels.all(), key=lambda lv: lv.level):
            items += [
                wording(level, "name", _("Level %(level)s: name") % {"level": level.level}, False),
                wording(
                    level,
                    "descriptor",
                    _("Level %(level)s: descriptor") % {"level": level.level},
                ),
            ]
        groups.append(
            {
                "title": _("Recommendation %(number)s") % {"number": recommendation.number},
                "wordings": items,
            }
        )
    labels = [
        wording(label, "label", _("Question “%(name)s”") % {"name": label.name}, False)
        for label in framework.questions.all()
    ]
    if labels:
        groups.append({"title": _("Questions"), "wordings": labels})
    return groups


def _position(action) -> int:
    return action.position


@transaction.atomic
def translation_edit(*, framework: Framework, language: str, texts: dict[str, str], user) -> int:
    """Saves a language's wording typed on the edit page (``texts`` by wording key; an
    empty text removes the translation, and the English is shown instead). Returns how many
    texts changed. A changed translation is a working one: if it was the committee's
    official wording, it is not any more, and its note says so."""
    if language == SOURCE_LANGUAGE:
        raise ValueError("the source wording is edited in the framework, not as a translation")
    changed = 0
    by_model: dict[type, tuple[list, set]] = {}
    translated: dict[str, str | None] = {}  # text key -> the English hash, None: emptied
    for group in framework_wordings(framework):
        for wording in group["wordings"]:
            if wording.key not in texts:
                continue
            new = texts[wording.key].strip() or None
            if (wording.value(language) or None) == new:
                continue
            setattr(wording.row, column(wording.field, language), new)
            rows, columns = by_model.setdefault(wording.model, ([], set()))
            if wording.row not in rows:
                rows.append(wording.row)
            columns.add(column(wording.field, language))
            translated[wording.text_key] = source_hash(wording.source) if new else None
            changed += 1
    if not changed:
        return 0
    # bulk_update skips FrameworkPart.save(): translating a frozen framework is allowed.
    for model, (rows, columns) in by_model.items():
        model.objects.bulk_update(rows, sorted(columns))
    record = FrameworkTranslation.objects.filter(framework=framework, language=language).first()
    now = timezone.now()
    note = record.note if record else ""
    # A text saved now translates today's English; the others keep what they translated.
    hashes = dict(record.source_hashes or {}) if record else {}
    for key, hashed in translated.items():
        if hashed is None:
            hashes.pop(key, None)
        else:
            hashes[key] = hashed
    if record is not None and record.is_official:
        note = _(
            "Edited in the portal on %(date)s from the official translation: no longer the "
            "committee’s published wording."
        ) % {"date": now.date().isoformat()}
    FrameworkTranslation.objects.update_or_create(
        framework=framework,
        language=language,
        defaults={
            "kind": FrameworkTranslation.Kind.WORKING,
            "note": note,
            "source": _("edited in the portal"),
            "loaded_by": user,
            "loaded_at": now,
            "source_hashes": hashes,
        },
    )
    framework.touch()
    audit_record(
        kind=AuditEvent.Kind.FRAMEWORK_TRANSLATED,
        user=user,
        target=framework,
        detail={"language": language, "texts": changed},
    )
    return changed


# --- The crosswalk and activating a framework -----------------------------------------------


class CrosswalkInvalid(ValidationError):
    """The crosswalk (or the framework's ``derived_from``) has problems; nothing was saved."""

    def __init__(self, problems: list):
        super().__init__([problem.message for problem in problems], code="crosswalk_invalid")
        self.problems = problems


class CrosswalkStale(Exception):
    """What the crosswalk page shows changed since it was opened: saving would overwrite
    that change."""


def framework_problems(framework: Framework) -> list:
    """What stops ``framework`` (as it would be saved) from being saved: a ``derived_from``
    that goes round in a loop, always; and, when it becomes active, every problem of its
    crosswalk (a version is activated with a crosswalk that accounts for the one before)."""
    stored = Framework.objects.filter(pk=framework.pk).first() if framework.pk else None
    activating = framework.status == Framework.Status.ACTIVE and (
        stored is None
        or stored.status != Framework.Status.ACTIVE
        # An active version pointed at another one: its lines would name the wrong one.
        or stored.derived_from_id != framework.derived_from_id
    )
    if activating:
        return selectors.crosswalk_problems(framework)
    previous = framework.derived_from
    return crosswalk.lineage_problems(
        framework.version,
        previous.version if previous else None,
        selectors.framework_parents(),
        place="derived_from",
    )


@transaction.atomic
def framework_save(*, framework: Framework, problems: list | None = None) -> Framework:
    """Saves a framework's own fields (the admin's form): refused with every problem when
    ``framework_problems`` finds any. ``problems``: what ``framework_problems`` answered
    for this very ``framework`` in the same request (the console's form asks it first, to
    show each problem beside its field); None: asked here. Either way it runs once a save."""
    found = framework_problems(framework) if problems is None else problems
    if found:
        raise CrosswalkInvalid(found)
    framework.save()
    return framework


@transaction.atomic
def crosswalk_save(
    *, framework: Framework, lines: list[tuple[int, int | None]], stamp: str
) -> Framework:
    """Replaces ``framework``'s crosswalk with ``lines`` (previous number, new number or
    None for retired), all or nothing. ``stamp`` is the ``selectors.crosswalk_stamp`` the
    editor started from: a crosswalk, or recommendations, changed since are not overwritten
    (``CrosswalkStale``); a change to the rest of the framework is no reason to refuse."""
    # The lock: every change to a framework's parts moves its row (Framework.touch).
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    framework.assert_editable()
    if stamp != selectors.crosswalk_stamp(framework):
        raise CrosswalkStale
    previous = framework.derived_from
    old = {r.number: r for r in previous.recommendations.all()} if previous else None
    new = {r.number: r for r in framework.recommendations.all()}
    found = crosswalk.problems(list(old) if old is not None else None, list(new), lines)
    if found:
        raise CrosswalkInvalid(found)
    CrosswalkLink.objects.filter(framework=framework).delete()
    # bulk_create skips FrameworkPart.save(): the freeze was checked above, and the stamp
    # moves once below.
    CrosswalkLink.objects.bulk_create(
        CrosswalkLink(
            framework=framework,
            previous=old[previous_number],
            recommendation=new[number] if number is not None else None,
        )
        for previous_number, number in lines
    )
    framework.touch()
    audit_record(
        kind=AuditEvent.Kind.CROSSWALK_SAVED,
        target=framework,
        detail={"lines": [[old, new] for old, new in lines]},
    )
    return framework
