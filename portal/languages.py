"""The portal's languages: each named in itself, and the one to use for a person."""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

# As the switcher and the account page show them, whatever the page's language: a reader
# looks for their own language's name. Django calls Chinese "简体中文" and writes Arabic
# with a shadda; the committee's documents say "中文" and "العربية".
NAMES_LOCAL = {
    "ar": "العربية",
    "zh-hans": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}


def language_choices() -> list[tuple[str, str]]:
    """(code, name in itself) for each language of settings.LANGUAGES, in its order."""
    return [(code, NAMES_LOCAL.get(code, code)) for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` if the portal speaks it, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def language_of(person) -> str:
    """The language to write to ``person`` in: theirs, or the portal's default."""
    return supported(getattr(person, "preferred_language", None)) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person):
    """Renders what is inside in ``person``'s language, whatever the request's: every
    e-mail is written in its recipient's language, not in the sender's."""
    with translation.override(language_of(person)):
        yield


def language_cookie_set(response, language: str) -> None:
    """Makes ``language`` the browser's, as Django's set_language does: LocaleMiddleware
    reads this cookie on every request."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def language_names() -> list[tuple[str, str]]:
    """The portal's languages, each named in itself: the choices of every language field."""
    return language_choices()


def portal_language(language: str | None = None) -> str | None:
    """The portal language ``language`` names ("fr-CA" → "fr", "zh-Hans" → "zh-hans"), by
    default the active one; None when it names none of them."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or translation.get_language() or "").lower().replace("_", "-")
    if language in codes:
        return language
    base = language.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == base), None)


def text_list(items) -> str:
    """``[2, 8, 9]`` as "2, 8 and 9" in the active language, with its own separator (the
    Arabic comma, the Chinese enumeration comma) and its own "and"."""
    from django.utils.translation import gettext, pgettext

    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    separator = pgettext("between the items of a list", ", ")
    return gettext("%(first)s and %(last)s") % {
        "first": separator.join(items[:-1]),
        "last": items[-1],
    }
