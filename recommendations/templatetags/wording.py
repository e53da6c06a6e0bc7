from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language_bidi

from recommendations.wording import Text, reader_language, text

register = template.Library()


@register.filter
def langattrs(value) -> str:
    """`` lang="en"`` (and ``dir="ltr"`` on a right-to-left page) for a framework text shown
    in another language than the page's; nothing otherwise."""
    if not isinstance(value, Text) or not value or value.lang == reader_language():
        return ""
    if get_language_bidi():
        return format_html(' lang="{}" dir="ltr"', value.lang)
    return format_html(' lang="{}"', value.lang)


@register.filter
def worded(row, name: str):
    """``row.name`` in the reader's language, or in English, knowing which."""
    return text(row, name)


@register.filter
def marked(value) -> str:
    """A framework text, inside ``<span lang="en">`` when it is shown in English on a page
    in another language; as it is otherwise."""
    attributes = langattrs(value)
    if not attributes:
        return conditional_escape(value)
    return format_html("<span{}>{}</span>", attributes, value)
