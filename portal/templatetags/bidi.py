from django import template
from django.utils.translation import get_language_bidi

register = template.Library()


@register.simple_tag
def forward_arrow() -> str:
    """An arrow from one value to the next ("3 → 4"), pointing the way the page reads: the
    glyph is not mirrored by the bidirectional algorithm."""
    return "←" if get_language_bidi() else "→"
