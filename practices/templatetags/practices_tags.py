from django import template

from portal.languages import NAMES_LOCAL

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` (None or "" removes a key); page resets."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def language_name(code: str) -> str:
    """A language named in the reader's language ("Anglais" on a French page): it says what
    an entry is written in to someone who may not read that language."""
    from django.conf import settings

    return str(dict(settings.LANGUAGES).get(code, NAMES_LOCAL.get(code, code)))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""
