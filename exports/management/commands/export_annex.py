import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand
from django.utils import timezone

from assessments.management.cycles import cycle_or_error
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
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the annex (offices' comments stay as written).",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The date on the title page (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, year: int, out: str, symbol: str, date, language: str, **options):
        cycle = cycle_or_error(year)

        def progress(percent: int, step: str) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"{percent:3d} %  {step}")

        output = build_annex(
            cycle=cycle,
            symbol=symbol,
            date=date or timezone.localdate(),
            language=language,
            progress=progress,
        )
        Path(out).write_bytes(output.content)
        self.stdout.write(
            f"Wrote {out}: {output.pages} pages, {len(output.content):,} bytes, "
            f"{len(output.answers)} responding offices, answers {output.answers_hash[:12]}."
        )
