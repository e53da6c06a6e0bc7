"""The interface's catalogues: one per language but English (the source), each complete,
none fuzzy, each compiled; and no message of ours changes what Django's own pages say."""

import ast
import gettext
import re
from collections import defaultdict
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import to_locale

LOCALE = Path(__file__).resolve().parents[2] / "locale"
# Every language of the portal but its source language, by its folder under locale/.
LOCALES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]


def catalogue(locale: str) -> Path:
    return LOCALE / locale / "LC_MESSAGES" / "django.po"


def entries(path: Path):
    """{flags, context, msgid, msgstr} for each entry of a .po file; enough of the format for
    a check. Obsolete entries (#~) are left out."""
    entry = {"flags": "", "context": None, "msgid": "", "msgstr": []}
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry["msgid"] or entry["msgstr"]:
                yield entry
            entry, field = {"flags": "", "context": None, "msgid": "", "msgstr": []}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = "context"
            entry["context"] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith(("msgid ", "msgid_plural ")):
            field = "msgid" if line.startswith("msgid ") else "plural"
            if field == "msgid":
                entry["msgid"] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and field == "context":
            entry["context"] += ast.literal_eval(line)
        elif line.startswith('"') and field == "msgid":
            entry["msgid"] += ast.literal_eval(line)
        elif line.startswith('"') and field == "msgstr":
            entry["msgstr"][-1] += ast.literal_eval(line)


def messages(locale: str) -> list[dict]:
    path = catalogue(locale)
    assert path.exists(), f"no catalogue for {locale}: {path.relative_to(LOCALE.parent)}"
    return [entry for entry in entries(path) if entry["msgid"]]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale):
    untranslated = [e["msgid"] for e in messages(locale) if not all(e["msgstr"])]
    assert untranslated == []


@pytest.mark.parametrize("locale", LOCALES)
def test_no_translation_is_fuzzy(locale):
    fuzzy = [e["msgid"] for e in messages(locale) if "fuzzy" in e["flags"]]
    assert fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogue_is_compiled(locale):
    compiled = catalogue(locale).with_suffix(".mo")
    assert compiled.exists(), f"run compilemessages: {compiled} is missing"
    assert compiled.stat().st_size > 1000
    assert compiled.stat().st_mtime >= catalogue(locale).stat().st_mtime - 1, "compile again"


# --- Our words against Django's -------------------------------------------------------------

# Ours without a context, Django's too, worded differently but meaning the same thing: the
# console may show our wording. Any other collision needs a context (pgettext) of its own.
# Ours and Django's say the same in other words ("Save": حفظ and احفظ); ours then also shows
# on Django's own pages, which is harmless. A word whose meaning differs gets a context.
SAME_MEANING = {
    "This field is required.",
    "Text",
    "Unknown",
    "Arabic",
    "Chinese",
    "English",
    "French",
    "Russian",
    "Spanish",
    "Search",
    "version",
    "Server error",
    "Save",
    "History",
    "Filters",
    "File",
    "Change password",
    "name",
    "title",
    "Log in",
    "Log out",
    "Logged out",
    "Page not found",
    "Skip to main content",
    "object id",
}


def django_translations(locale: str) -> dict[str, set[str]]:
    """Each message of Django's own catalogues (core, admin, auth...) with its translations."""
    found = defaultdict(set)
    for path in Path(django.__file__).parent.glob(f"**/locale/{locale}/LC_MESSAGES/django.mo"):
        with path.open("rb") as file:
            for msgid, msgstr in gettext.GNUTranslations(file)._catalog.items():
                if isinstance(msgid, str) and "\x04" not in msgid and msgid:
                    found[msgid].add(msgstr)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_of_ours_changes_the_words_of_djangos_pages(locale):
    theirs = django_translations(locale)
    clashes = [
        e["msgid"]
        for e in messages(locale)
        if e["context"] is None
        and e["msgid"] in theirs
        and e["msgstr"][0] not in theirs[e["msgid"]]
        and e["msgid"] not in SAME_MEANING
    ]
    assert clashes == [], "give these a context: {% translate '…' context '…' %} or pgettext"


def test_the_consoles_change_links_keep_djangos_french(client_of, secretariat):
    """Django's admin says "Modification" for "Change" on its index (its core catalogue says
    "Modifier" elsewhere); our "Évolution", a difference between two years, must not leak."""
    client = client_of(secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("admin:index")).content.decode()
    links = re.findall(r'class="changelink"[^>]*>([^<]*)</a>', html)
    assert links and set(links) == {"Modification"}
    assert "Évolution" not in html


def test_the_office_summarys_change_column_has_a_context_of_its_own():
    with translation.override("fr"):
        assert translation.pgettext("level difference between two years", "Change") != "Change"
