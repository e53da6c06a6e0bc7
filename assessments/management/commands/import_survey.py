from pathlib import Path

from django.core.management import BaseCommand, CommandError

from assessments.exchange import (
    FileUnreadable,
    ImportReport,
    SurveyInvalid,
    survey_import,
    survey_load,
)


class Command(BaseCommand):
    help = (
        "Imports a past survey from an exchange file (docs/exchange-format.md) as submitted "
        "assessments; all or nothing. --dry-run only checks it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON exchange file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        data = read_json(path)
        try:
            report = survey_import(data=data, dry_run=dry_run, source=path.name)
        except SurveyInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(invalid.problems)} problem(s) in {path.name}: nothing was imported."
            ) from None
        for line in summary_lines(report):
            self.stdout.write(line)


def read_json(path: Path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path.name} is not UTF-8 text.") from None
    try:
        return survey_load(text)
    except FileUnreadable as unreadable:
        raise CommandError(f"{path.name}: {unreadable}") from None


def summary_lines(report: ImportReport) -> list[str]:
    def codes(items) -> str:
        return ", ".join(items) if items else "none"

    if report.dry_run:
        head = "Dry run, nothing written. Importing would give:"
    elif report.changes_anything:
        head = "Imported:"
    else:
        head = "Nothing changed: the portal holds this file's data already."
    cycle = "new" if report.cycle_created else "existing"
    return [
        head,
        f"  cycle {report.year} ({cycle}), framework {report.framework}",
        f"  offices created: {len(report.offices_created)} ({codes(report.offices_created)})",
        f"  offices invited: {len(report.offices_invited)} ({codes(report.offices_invited)})",
        f"  assessments imported: {len(report.imported)} ({codes(report.imported)})",
        f"  assessments unchanged: {len(report.unchanged)} ({codes(report.unchanged)})",
    ]
