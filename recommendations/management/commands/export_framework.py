import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from recommendations.framework_file import framework_export
from recommendations.models import Framework


class Command(BaseCommand):
    help = (
        "Writes a framework as a framework file (docs/framework-evolution.md): its wording in "
        "the source language, the version it is derived from and its crosswalk."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="The framework's version, for example 2024.")
        parser.add_argument("--output", help="The file to write; standard output if omitted.")

    def handle(self, *args, version: str, output: str | None, **options):
        framework = Framework.objects.filter(version=version).first()
        if framework is None:
            raise CommandError(f"There is no framework {version}.")
        text = json.dumps(framework_export(framework), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Framework {version} written to {output}.")
        else:
            self.stdout.write(text, ending="")
