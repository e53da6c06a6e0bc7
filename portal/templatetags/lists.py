from django import template

from portal.languages import text_list

register = template.Library()


@register.filter
def listed(items) -> str:
    """``2, 8 and 9`` in the page's language (``portal.languages.text_list``)."""
    return text_list(items)
