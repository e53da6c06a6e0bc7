from pathlib import Path

from django.core.management import BaseCommand

from assessments.management.cycles import cycle_or_error
from exports.data import build_csv, build_json, build_xlsx

BUILDERS = {"xlsx": build_xlsx, "csv": build_csv, "json": build_json}


class Command(BaseCommand):
    help = (
        "Writes the data of a cycle's submitted assessments as XLSX (answers, comments "
        "including those not for publication, KPIs), CSV (answers) or JSON (exchange format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=sorted(BUILDERS), default="xlsx")
        parser.add_argument(
            "--out", help="The file to write; by default the export's own name, here."
        )

    def handle(self, *args, year: int, format: str, out: str | None, **options):
        cycle = cycle_or_error(year)
        output = BUILDERS[format](cycle=cycle)
        path = Path(out or output.filename)
        path.write_bytes(output.content)
        self.stdout.write(
            f"Wrote {path} ({len(output.content):,} bytes, {len(output.answers)} offices)."
        )
