"""The French catalogue is complete: every message has a translation and none is fuzzy."""

import ast
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(path: Path):
    """(flags, msgid, msgstrs) for each entry of a .po file; enough of the format for a check."""
    entry = {"flags": "", "msgid": "", "msgstr": []}
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry["msgid"] or entry["msgstr"]:
                yield entry
            entry, field = {"flags": "", "msgid": "", "msgstr": []}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ")):
            field = "msgid" if line.startswith("msgid ") else "plural"
            if field == "msgid":
                entry["msgid"] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and field == "msgid":
            entry["msgid"] += ast.literal_eval(line)
        elif line.startswith('"') and field == "msgstr":
            entry["msgstr"][-1] += ast.literal_eval(line)


def test_every_message_is_translated_to_french():
    untranslated = [e["msgid"] for e in entries(CATALOGUE) if e["msgid"] and not all(e["msgstr"])]
    assert untranslated == []


def test_no_french_translation_is_fuzzy():
    fuzzy = [e["msgid"] for e in entries(CATALOGUE) if "fuzzy" in e["flags"] and e["msgid"]]
    assert fuzzy == []


def test_the_compiled_catalogue_is_newer_than_its_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists()
    assert compiled.stat().st_size > 1000
