import json

from django.core.management import BaseCommand

from assessments.management.cycles import cycle_or_error
from kpi.services import snapshot_refresh


class Command(BaseCommand):
    help = "Computes and stores a cycle's KPIs; --json prints the document the API serves."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="Print the KPI document.")

    def handle(self, *args, year, json: bool, **options):
        cycle = cycle_or_error(year)
        snapshot = snapshot_refresh(cycle=cycle)
        if json:
            self.stdout.write(_dumps(snapshot.document))
            return
        document = snapshot.document
        self.stdout.write(
            f"{year}: {document['respondents']} of {document['invited']} invited offices "
            f"responded; answers {snapshot.answers_hash[:12]}"
        )
        for entry in document["recommendations"]:
            signal = "  <- priority signal" if entry["priority_signal"] else ""
            self.stdout.write(
                f"  R{entry['number']:>2}  adoption {entry['adoption']['percent']:>3} %  "
                f"focus {entry['focus']['percent']:>3} %  challenge "
                f"{entry['challenge']['percent']:>3} %  maturity {entry['maturity']['mean']}"
                f"{signal}"
            )


def _dumps(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
