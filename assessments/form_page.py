"""The respondent's form page: what it shows, and what it can reuse from the last request.

Most of a form page is the same from one request to the next: the recommendations' sections
(some 190 fields with their labels and level descriptors), last year's levels and the
roadmap's actions beside them, and the section list with each section's state. They change
only when the answers are saved (every save bumps the version), when the framework's texts,
last year's submission or the roadmap change, or when the assessment can no longer be
edited. So a page opened again, by the same person or a colleague, reads them from the cache
under a key made of those stamps, read in one query (``selectors.form_stamps``); only the
overall questions and the page around them are rendered.

A form with typed answers (errors, a conflict, answers held back) is rendered as it is.
"""

import functools
import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.translation import get_language

from assessments import consistency, selectors, services
from assessments import questionnaire as q
from assessments.forms import AnswersForm, ReopenForm
from assessments.presenters import held_rows, sections
from portal import compression
from portal.languages import language_names, portal_language
from recommendations import wording
from roadmap.selectors import last_year_notes

# The form's control for the language the office writes its answers in (not an answer).
ANSWERS_LANGUAGE = "answers_language"

# Not read yet (the caller may have read it already: one query less).
UNREAD = object()

# The rendered sections of a stored version are kept a day after their last use.
SECTIONS_SECONDS = 60 * 60 * 24
SECTIONS_TEMPLATES = (
    "assessments/_sections.html",
    "assessments/_section_items.html",
    "assessments/_section_options.html",
    "assessments/_flag.html",
    "assessments/_textarea.html",
    "roadmap/_beside_question.html",
    "recommendations/_fallback_note.html",
    "recommendations/_path.html",
)


@dataclass(frozen=True)
class RenderedSections:
    html: str
    # The section list beside them, and the phone's menu of sections.
    items: str
    options: str
    # (number, complete) per section, in the framework's order.
    states: tuple[tuple[int, bool], ...]
    has_previous: bool


@functools.cache
def _sections_templates() -> str:
    """A digest of the sections' templates: a release that changes them never serves
    sections rendered by the one before (the cache may outlive it)."""
    digest = hashlib.sha256()
    for name in SECTIONS_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


def _sections_key(place, stamps: selectors.FormStamps, *, editable: bool, copied) -> str:
    assessment, framework = place.assessment, place.cycle.framework
    return ":".join(
        str(part)
        for part in (
            # The shape of what is kept (RenderedSections): a release that changes it
            # reads none of the old.
            "form-sections-3",
            _sections_templates(),
            assessment.pk,
            assessment.version,
            # An identifier that is never reused, whatever the database does with numbers.
            selectors.moment_stamp(assessment.created_at),
            selectors.moment_stamp(assessment.updated_at),
            assessment.status,
            assessment.language,
            getattr(assessment, "is_submitted_version", False),
            editable,
            framework.pk,
            framework.version,
            framework.stamp,
            ",".join(sorted(copied)),
            # Beside the questions: last year's submission and the roadmap's actions done.
            stamps.previous,
            stamps.roadmap,
            get_language(),
        )
    )


def _rendered_sections(
    place, recommendations, labels, form, *, editable, copied, held_keys
) -> RenderedSections:
    """The sections as rendered from the database: the answers, last year's submission and
    the roadmap are read here."""
    assessment = place.assessment
    if form is None:
        initial = {
            "version": assessment.version,
            **services.assessment_values(assessment, selectors.answers_by_number(assessment)),
        }
        values = initial
        # Built only when the sections' template renders its fields.
        full_form = functools.cache(
            lambda: AnswersForm(
                initial=initial, numbers=[r.number for r in recommendations]
            ).worded(labels)
        )
    else:
        values = {name: form[name].value() for name in form.fields}
        full_form = lambda: form  # noqa: E731
    section_list = sections(recommendations, values, full_form, copied)
    previous = selectors.latest_submission_before(place.office, place.cycle.year)
    html = render_to_string(
        "assessments/_sections.html",
        {
            "sections": section_list,
            "editable": editable,
            "copied_keys": copied,
            "held_keys": held_keys,
            # Beside each recommendation, last year's target and the roadmap's actions done
            # since.
            "last_year": last_year_notes(
                place.office, place.cycle.year, place.cycle.framework, previous=previous
            ),
            "place": place,
            # Its comments are marked with the language it writes them in.
            "assessment": assessment,
        },
    )
    listed = {"sections": section_list}
    return RenderedSections(
        html=html,
        items=render_to_string("assessments/_section_items.html", listed),
        options=render_to_string("assessments/_section_options.html", listed),
        states=tuple((s.recommendation.number, s.complete) for s in section_list),
        has_previous=previous is not None,
    )


def render_form(
    request,
    place,
    *,
    form=None,
    conflict=None,
    status=200,
    held=False,
    held_keys=(),
    held_server=UNREAD,
    stamps=None,
):
    """The form page. ``form``: a bound form (typed answers) to show instead of the stored
    ones; ``stamps``: ``selectors.form_stamps`` if the caller has read them."""
    assessment = place.assessment
    stamps = stamps or selectors.form_stamps(place, request.user)
    if held_server is UNREAD:
        held_server = (
            services.held_for(assessment, request.user) if place.can_edit and stamps.held else None
        )
    labels = q.labels_for(place.cycle.framework)
    block_reason = assessment.editing_block_reason()
    editable = place.can_edit and not block_reason
    copied = services.copied_unconfirmed(assessment) if editable else set()
    held_keys = set(held_keys)
    if form is not None:
        form.word(labels)
    # Only a form as stored is the same from one request to the next.
    stored = form is None and not conflict and not held and not held_keys
    key = _sections_key(place, stamps, editable=editable, copied=copied) if stored else None
    parts = cache.get(key) if key else None
    if parts is None:
        parts = _rendered_sections(
            place,
            selectors.framework_texts(place.cycle),
            labels,
            form,
            editable=editable,
            copied=copied,
            held_keys=held_keys,
        )
        if key:
            cache.set(key, parts, SECTIONS_SECONDS)
    if form is None:
        # The page itself shows only the overall questions.
        form = AnswersForm(
            initial={"version": assessment.version, **services.assessment_values(assessment, {})},
            numbers=(),
        ).worded(labels)
    events = selectors.form_events(assessment) if place.can_edit else {}
    response = render(
        request,
        "assessments/form.html",
        {
            "place": place,
            "assessment": assessment,
            "form": form,
            # The section before the overall questions, for "previous section".
            "last_anchor": f"r{parts.states[-1][0]}" if parts.states else None,
            "sections_html": parts.html,
            "section_items": parts.items,
            "section_options": parts.options,
            "complete": sum(1 for _number, complete in parts.states if complete),
            "total": len(parts.states),
            "editable": editable,
            "block_reason": block_reason,
            "last_saved": events.get("last_saved"),
            "reopening": events.get("reopening"),
            "consistency_rules": json.dumps(consistency.client_rules()),
            "translation_kind": wording.translation_kind(place.cycle.framework),
            "conflict": conflict,
            "held": held,
            "copied_keys": copied,
            "held_keys": held_keys,
            # Typed after the assessment became read-only: shown beside the stored answers.
            "held_server": held_server if held_server and not editable else None,
            "held_rows": held_rows(
                held_server,
                services.assessment_values(selectors.with_answers(assessment)),
                labels,
            )
            if held_server and not editable
            else [],
            "reopen_form": ReopenForm()
            if place.can_reopen and assessment.status == "submitted"
            else None,
            "has_previous": editable and parts.has_previous,
            "answer_languages": language_names(),
            # As last chosen (kept through a refused post), else the language of the page,
            # which the first save records.
            "answers_language": portal_language(form.data.get(ANSWERS_LANGUAGE))
            if form.is_bound and form.data.get(ANSWERS_LANGUAGE)
            else assessment.language or portal_language(),
        },
        status=status,
    )
    if key:
        compression.mark(response, parts.html)
    return response
