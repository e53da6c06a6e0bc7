"""Reads of frameworks: the crosswalk between two versions, and translations older than
their English source."""

import hashlib
import json

from django.utils.translation import gettext as _

from portal.problems import Problem
from recommendations import crosswalk, wording
from recommendations.models import (
    SOURCE_LANGUAGE,
    CrosswalkLink,
    Framework,
    Recommendation,
    column,
)


def crosswalk_lines(framework: Framework) -> list[tuple[int, int | None]]:
    """The lines ``(previous number, new number or None)`` of ``framework``'s crosswalk, in
    order; none for a first version. A previous recommendation no line names is not
    accounted for (``crosswalk.problems``), whatever the numbers. Lines naming another
    framework's recommendations (its ``derived_from`` changed since) are left out: see
    ``crosswalk_problems``."""
    previous = framework.derived_from
    if previous is None:
        return []
    stored = (
        CrosswalkLink.objects.filter(framework=framework)
        .order_by("previous__number", "recommendation__number")
        .values_list(
            "previous__framework_id",
            "previous__number",
            "recommendation__framework_id",
            "recommendation__number",
        )
    )
    return [
        (old, new)
        for old_framework, old, new_framework, new in stored
        if old_framework == previous.pk and new_framework in (None, framework.pk)
    ]


def crosswalk_stamp(framework: Framework) -> str:
    """What the crosswalk page of ``framework`` shows, in one short text: the version it is
    derived from, the recommendations of both (each its row and number) and the lines. The
    page is opened at it and saved against it (``services.crosswalk_save``), so that a
    change the page does not show (a step of the matrix, a translation) leaves it current,
    and one it shows does not. Read it before what the page shows: the page is then at
    least as new as its stamp."""
    previous_id = framework.derived_from_id
    recommendations = (
        Recommendation.objects.filter(framework_id__in=[framework.pk, previous_id])
        .order_by("framework_id", "number")
        .values_list("framework_id", "pk", "number")
    )
    lines = (
        CrosswalkLink.objects.filter(framework=framework)
        .order_by("previous_id", "recommendation_id")
        .values_list("previous_id", "recommendation_id")
    )
    shown = json.dumps([previous_id, list(recommendations), list(lines)])
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


def crosswalk_of(framework: Framework) -> crosswalk.Crosswalk | None:
    """The crosswalk from the version ``framework`` was derived from to it, as its lines
    draw it (``crosswalk_lines``), or None for a first version."""
    previous = framework.derived_from
    if previous is None:
        return None
    return crosswalk.from_lines(
        previous.version,
        framework.version,
        framework.recommendations.values_list("number", flat=True),
        crosswalk_lines(framework),
    )


def framework_parents() -> dict[str, str | None]:
    """Every framework's version -> the version it is derived from (a handful of rows)."""
    return dict(Framework.objects.values_list("version", "derived_from__version"))


def crosswalk_problems(framework: Framework) -> list[Problem]:
    """What stops ``framework`` from being activated: its crosswalk's problems
    (``crosswalk.problems``) and a ``derived_from`` that goes round in a loop."""
    previous = framework.derived_from
    parents = framework_parents()
    found = crosswalk.lineage_problems(
        framework.version,
        previous.version if previous else None,
        {v: p for v, p in parents.items() if v != framework.version},
        place="derived_from",
    )
    if framework.pk is None:
        return found
    new_numbers = framework.recommendations.values_list("number", flat=True)
    if previous is None:
        # A first version has no crosswalk: lines left from a version it was derived from
        # before are a problem of their own.
        stored = CrosswalkLink.objects.filter(framework=framework).values_list(
            "previous__number", "recommendation__number"
        )
        return found + crosswalk.problems(None, new_numbers, stored)
    stray = (
        CrosswalkLink.objects.filter(framework=framework)
        .exclude(previous__framework_id=previous.pk)
        .count()
    )
    if stray:
        found.append(
            Problem(
                "crosswalk",
                _(
                    "%(count)d line(s) of the crosswalk name recommendations of a version "
                    "this framework is no longer derived from: save the crosswalk again."
                )
                % {"count": stray},
            )
        )
    old_numbers = previous.recommendations.values_list("number", flat=True)
    return found + crosswalk.problems(old_numbers, new_numbers, crosswalk_lines(framework))


def crosswalk_between(old: Framework, new: Framework) -> crosswalk.Crosswalk | None:
    """From ``old`` to ``new`` through every version in between (``new`` derived, perhaps
    in several steps, from ``old``); None when ``new`` does not descend from ``old``."""
    if old.pk == new.pk:
        return crosswalk.identity(new.version, new.recommendations.values_list("number", flat=True))
    chain, seen, step = [], set(), new
    while step is not None and step.pk != old.pk:
        if step.pk in seen:  # a loop of derived versions: refused on save, guarded here
            return None
        seen.add(step.pk)
        chain.append(step)
        step = step.derived_from
    if step is None:
        return None
    walks = [crosswalk_of(framework) for framework in reversed(chain)]
    result = walks[0]
    for following in walks[1:]:
        result = result.then(following)
    return result


def stale_translations_by_language(
    framework: Framework, *, texts=None, records=None
) -> dict[str, set[str]]:
    """Each translated language of ``framework`` -> the keys (``wording.text_key``) of its
    texts whose English changed since they were translated: the hash recorded when the
    translation was written differs from the English's now. A text with no translation, or
    with no hash recorded, is not counted: nothing says what it translated. A page that has
    read them already passes its ``texts`` (``wording.framework_texts``) and its ``records``
    (language -> ``FrameworkTranslation``), so that they are not read twice."""
    if records is None:
        records = {record.language: record for record in framework.translations.all()}
    hashes = {
        language: record.source_hashes or {}
        for language, record in records.items()
        if language != SOURCE_LANGUAGE
    }
    stale: dict[str, set[str]] = {language: set() for language in hashes}
    if not hashes:
        return stale
    for key, row, name in wording.framework_texts(framework) if texts is None else texts:
        current = wording.source_hash(getattr(row, column(name, SOURCE_LANGUAGE)) or "")
        for language, recorded in hashes.items():
            if (
                getattr(row, column(name, language), None)
                and key in recorded
                and recorded[key] != current
            ):
                stale[language].add(key)
    return stale


def stale_translations(
    framework: Framework, language: str, *, texts=None, records=None
) -> set[str]:
    """The keys of ``language``'s texts older than their English source (see above)."""
    return stale_translations_by_language(framework, texts=texts, records=records).get(
        language, set()
    )
