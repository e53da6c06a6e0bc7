from django.core.management import CommandError

from assessments.models import Cycle


def cycle_or_error(year: int) -> Cycle:
    """The cycle of ``year`` for a command, or an error that names the cycles there are."""
    cycle = Cycle.objects.filter(year=year).select_related("framework").first()
    if cycle is None:
        years = sorted(Cycle.objects.values_list("year", flat=True))
        known = ", ".join(map(str, years)) if years else "none yet"
        raise CommandError(f"There is no {year} cycle (cycles: {known}).")
    return cycle
