from pathlib import Path

from django.core.management import BaseCommand, CommandError

from assessments.management.commands.import_survey import read_json
from recommendations.exchange import (
    TranslationInvalid,
    TranslationReport,
    translation_import,
    translations_load_shipped,
)


class Command(BaseCommand):
    help = (
        "Loads a framework's wording in one language from a translation file "
        "(docs/framework-translations.md); all or nothing. --dry-run only checks it. "
        "--shipped loads the shipped working translations of languages not loaded yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The JSON translation file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="Load recommendations/data/translations/*.json for languages not loaded yet.",
        )

    def handle(self, *args, file: str | None, dry_run: bool, shipped: bool, **options):
        if shipped:
            try:
                loaded = translations_load_shipped(only_missing=True)
            except TranslationInvalid as invalid:
                self._refuse(invalid, "a shipped file")
            self.stdout.write(f"Loaded: {', '.join(loaded) or 'nothing new'}.")
            return
        if not file:
            raise CommandError("Name the translation file, or use --shipped.")
        path = Path(file)
        data = read_json(path)
        try:
            report = translation_import(data=data, dry_run=dry_run, source=path.name)
        except TranslationInvalid as invalid:
            self._refuse(invalid, path.name)
        for line in summary_lines(report):
            self.stdout.write(line)

    def _refuse(self, invalid: TranslationInvalid, name: str):
        for problem in invalid.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"{len(invalid.problems)} problem(s) in {name}: nothing was loaded."
        ) from None


def summary_lines(report: TranslationReport) -> list[str]:
    head = "Dry run, nothing written. Loading would give:" if report.dry_run else "Loaded:"
    kind = "source wording" if report.is_source else report.kind
    lines = [
        head,
        f"  framework {report.framework}, language {report.language} ({kind})",
        f"  texts changed: {report.changed} of {report.total}",
    ]
    if report.previous_kind and report.previous_kind != report.kind:
        lines.append(f"  replaces the {report.previous_kind} translation")
    return lines
