from pathlib import Path

from django.core.management import BaseCommand, CommandError

from assessments.management.commands.import_survey import read_json
from recommendations.framework_file import (
    FrameworkFileInvalid,
    FrameworkReport,
    framework_import,
)


class Command(BaseCommand):
    help = (
        "Loads a new draft framework from a framework file (docs/framework-evolution.md); "
        "all or nothing. --dry-run only checks it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON framework file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        data = read_json(path)
        try:
            report = framework_import(data=data, dry_run=dry_run)
        except FrameworkFileInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(invalid.problems)} problem(s) in {path.name}: nothing was loaded."
            ) from None
        for line in summary_lines(report):
            self.stdout.write(line)


def summary_lines(report: FrameworkReport) -> list[str]:
    head = "Dry run, nothing written. Loading would give:" if report.dry_run else "Loaded:"
    lines = [
        head,
        f"  draft framework {report.version}: {report.title}",
        f"  recommendations: {report.recommendations}",
    ]
    if report.derived_from:
        changed = {
            number: relation for number, relation in report.relations.items() if relation != "same"
        }
        described = ", ".join(f"{number} {relation}" for number, relation in changed.items())
        lines.append(f"  derived from {report.derived_from}; {described or 'no merge or split'}")
        if report.retired:
            lines.append(f"  retired: {', '.join(str(n) for n in report.retired)}")
    else:
        lines.append("  a first version: derived from none, no crosswalk")
    return lines
