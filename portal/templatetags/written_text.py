"""Text that people wrote (offices' comments) is shown as written: in its own language and
direction, isolated from the page's, so that its punctuation stays where its reader expects."""

import unicodedata

from django import template
from django.utils.html import format_html

register = template.Library()


def text_direction(text: str) -> str:
    """ "rtl" or "ltr": the direction of the first strongly directional character, as
    ``dir="auto"`` decides it in a browser; "ltr" when there is none."""
    for character in text or "":
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@register.simple_tag
def written_in(language: str = "", text: str | None = None):
    """The attributes of a block of written text: ` lang="fr" dir="auto"` (``lang`` only when
    the language is known). Given the ``text``, the direction is worked out here instead, for
    WeasyPrint, which does not implement ``dir="auto"``."""
    direction = "auto" if text is None else text_direction(text)
    if language:
        return format_html(' lang="{}" dir="{}"', language, direction)
    return format_html(' dir="{}"', direction)


@register.filter
def isolated(text: str) -> str:
    """Written text inside a sentence, isolated by Unicode's own marks (FSI … PDI): for the
    PDFs, as WeasyPrint lays out ``<bdi>`` like any span."""
    return f"\u2068{text}\u2069" if text else text
