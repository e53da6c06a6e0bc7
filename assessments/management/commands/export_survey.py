import json
from pathlib import Path

from django.core.management import BaseCommand

from assessments.exchange import survey_export
from assessments.management.cycles import cycle_or_error


class Command(BaseCommand):
    help = (
        "Writes a cycle's submitted assessments in the exchange format "
        "(docs/exchange-format.md), to stdout or --out FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", help="Write to this file instead of stdout.")

    def handle(self, *args, year: int, out: str | None, **options):
        cycle = cycle_or_error(year)
        text = json.dumps(survey_export(cycle=cycle), indent=2, ensure_ascii=False)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote cycle {year} to {out}.")
        else:
            self.stdout.write(text)
