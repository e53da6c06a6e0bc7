"""For next year's assessment form: last year's target and the roadmap's actions done,
beside each recommendation. A tag, so that the form's view stays as it is."""

from django import template

from roadmap.selectors import last_year_notes

register = template.Library()


@register.simple_tag
def roadmap_notes(place) -> dict:
    """By recommendation number (three queries for the whole form, more across versions)."""
    return last_year_notes(place.office, place.cycle.year, place.cycle.framework)


@register.inclusion_tag("roadmap/_beside_question.html")
def roadmap_beside(notes: dict, number: int, place) -> dict:
    return {"note": notes.get(number), "place": place}
