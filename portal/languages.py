"""The portal's languages (settings.LANGUAGES), and which of them a language tag means."""

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst


def portal_language(language: str | None = None) -> str | None:
    """The portal language ``language`` names ("fr-CA" → "fr", "zh-Hans" → "zh-hans"), by
    default the active one; None when it names none of them."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or translation.get_language() or "").lower().replace("_", "-")
    if language in codes:
        return language
    base = language.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == base), None)


def language_names() -> list[tuple[str, str]]:
    """The portal's languages, each named in itself ("العربية", "中文"), so that a reader finds
    their own whatever the language of the page."""
    return [
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]
