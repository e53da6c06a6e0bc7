"""The secretariat's pages for the framework's wording in the six languages: the list of
translations with the file import, the edit page of one language, and the file download."""

import json
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.import_views import SurveyImportForm
from portal.permissions import secretariat_required
from portal.problems import Problem
from portal.templatetags.written_text import isolated
from recommendations import selectors
from recommendations.exchange import (
    TranslationInvalid,
    translation_export,
    translation_import,
)
from recommendations.models import (
    SOURCE_LANGUAGE,
    Framework,
    column,
)
from recommendations.services import framework_wordings, translation_edit
from recommendations.wording import framework_texts


class TranslationImportForm(SurveyImportForm):
    """The survey import's upload (size, UTF-8, JSON checks, dry run), for a translation."""

    file = forms.FileField(
        label=gettext_lazy("Translation file (JSON)"),
        help_text=gettext_lazy("At most 5 MB, in the format described below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def _completeness(texts) -> dict[str, int]:
    """How many texts each language has, over all the framework's translated fields
    (``texts``: ``wording.framework_texts``)."""
    counts = dict.fromkeys(settings.MODELTRANSLATION_LANGUAGES, 0)
    for _key, row, name in texts:
        for language in counts:
            if getattr(row, column(name, language)) is not None:
                counts[language] += 1
    return counts


def _framework(version: str) -> Framework:
    return get_object_or_404(Framework.objects.with_frozen(), version=version)


@secretariat_required
def framework_translations(request: HttpRequest, version: str) -> HttpResponse:
    framework = _framework(version)
    context: dict = {"framework": framework}
    form = TranslationImportForm()
    if request.method == "POST":
        posted = TranslationImportForm(request.POST, request.FILES)
        if posted.is_valid():
            upload = posted.cleaned_data["file"]
            context["file_name"] = upload.name
            try:
                context["report"] = _import(framework, upload, request.user, posted)
            except TranslationInvalid as invalid:
                context["problems"] = invalid.problems
        else:
            form = posted
    records = {record.language: record for record in framework.translations.all()}
    # The texts are read once, for their counts and for the stale ones.
    texts = list(framework_texts(framework))
    counts = _completeness(texts)
    stale = selectors.stale_translations_by_language(framework, texts=texts, records=records)
    names = _language_names()
    context["languages"] = [
        {
            "code": code,
            "name": names.get(code, code),
            "source": code == SOURCE_LANGUAGE,
            "record": records.get(code),
            "count": counts[code],
            "total": counts[SOURCE_LANGUAGE],
            "stale": len(stale.get(code, ())),
        }
        for code in settings.MODELTRANSLATION_LANGUAGES
    ]
    if "report" in context:
        context["report_language"] = names.get(context["report"].language)
    context["form"] = form
    return render(request, "recommendations/translations.html", context)


def _import(framework, upload, user, form):
    data = upload.data
    if isinstance(data, dict) and data.get("framework") != framework.version:
        raise TranslationInvalid(
            [
                Problem(
                    "framework",
                    _(
                        "This page loads translations of framework %(version)s; the file is "
                        "for “%(other)s”."
                    )
                    % {
                        "version": isolated(framework.version),
                        "other": isolated(data.get("framework")),
                    },
                )
            ]
        )
    return translation_import(
        data=data, user=user, dry_run=form.cleaned_data["dry_run"], source=upload.name
    )


def _language(code: str) -> str:
    if code not in settings.MODELTRANSLATION_LANGUAGES or code == SOURCE_LANGUAGE:
        raise Http404
    return code


@secretariat_required
def framework_translation_edit(request: HttpRequest, version: str, language: str) -> HttpResponse:
    framework = _framework(version)
    language = _language(language)
    groups = framework_wordings(framework)
    if request.method == "POST":
        texts = {
            wording.key: request.POST.get(wording.key, "")
            for group in groups
            for wording in group["wordings"]
            if wording.key in request.POST
        }
        changed = translation_edit(
            framework=framework, language=language, texts=texts, user=request.user
        )
        if changed:
            messages.success(
                request,
                ngettext(
                    "%(count)d text saved. This translation is a working translation.",
                    "%(count)d texts saved. This translation is a working translation.",
                    changed,
                )
                % {"count": changed},
            )
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("framework_translation_edit", version=version, language=language)
    record = framework.translations.filter(language=language).first()
    # The texts the form shows are those whose age is asked: read once.
    stale = selectors.stale_translations(
        framework,
        language,
        texts=[(w.text_key, w.row, w.field) for group in groups for w in group["wordings"]],
        records={language: record} if record else {},
    )
    return render(
        request,
        "recommendations/translation_edit.html",
        {
            "framework": framework,
            "language": language,
            "language_name": _language_names().get(language, language),
            "record": record,
            "stale": len(stale),
            "groups": [
                {
                    "title": group["title"],
                    "rows": [
                        {
                            "wording": wording,
                            "value": wording.value(language),
                            "stale": wording.text_key in stale,
                        }
                        for wording in group["wordings"]
                    ],
                }
                for group in groups
            ],
        },
    )


@secretariat_required
def framework_translation_file(request: HttpRequest, version: str, language: str) -> HttpResponse:
    framework = _framework(version)
    if language not in settings.MODELTRANSLATION_LANGUAGES:
        raise Http404
    document = translation_export(framework=framework, language=language)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    safe_version = re.sub(r"[^\w.-]", "_", framework.version)
    response["Content-Disposition"] = (
        f'attachment; filename="framework_{safe_version}.{language}.json"'
    )
    return response
