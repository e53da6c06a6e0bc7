import datetime
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from assessments.models import Cycle
from exports.annex import build_annex


class Command(BaseCommand):
    help = (
        "Builds a cycle's committee annex (PDF) with the code of the export page: the same "
        "answers, symbol and date give the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--symbol", default="CWS/xx/xx", help="The document symbol, e.g. CWS/14/8."
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The date on the title page (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, year: int, out: str, symbol: str, date, **options):
        cycle = Cycle.objects.filter(year=year).select_related("framework").first()
        if cycle is None:
            years = sorted(Cycle.objects.values_list("year", flat=True))
            known = ", ".join(map(str, years)) if years else "none yet"
            raise CommandError(f"There is no {year} cycle (cycles: {known}).")

        def progress(percent: int, step: str) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"{percent:3d} %  {step}")

        output = build_annex(
            cycle=cycle, symbol=symbol, date=date or timezone.localdate(), progress=progress
        )
        Path(out).write_bytes(output.content)
        self.stdout.write(
            f"Wrote {out}: {output.pages} pages, {len(output.content):,} bytes, "
            f"{len(output.answers)} responding offices, answers {output.answers_hash[:12]}."
        )
