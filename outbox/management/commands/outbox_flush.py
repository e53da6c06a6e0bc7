from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = "Sends the background tasks that are still waiting for the broker (the outbox)."

    def handle(self, *args, **options):
        report = services.sweep(grace=0)
        self.stdout.write(
            f"{report.sent} sent, {report.pending} still waiting, {report.purged} old removed"
        )
        if report.pending:
            self.stderr.write("The broker is unreachable: run this again once it is back.")
