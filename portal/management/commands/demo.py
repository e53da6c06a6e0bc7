import os

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.two_factor import secret_base32
from portal.demo import DEMO_PASSWORD, LOGINS, demo_devices_ensure, demo_site_url, seed_demo
from recommendations.exchange import translations_load_shipped


class Command(BaseCommand):
    help = "Prepares a demo portal (database, sample data, one login per role) and serves it."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport",
            nargs="?",
            default="localhost:8000",
            help="Where to serve, as for runserver (default localhost:8000).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the data and print the logins, then stop.",
        )

    def handle(self, *args, addrport, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo creates accounts with a published password: it runs only with DEBUG on."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if seed_demo():
            self.stdout.write(
                "Demo data created: 40 offices, cycles of the last three years and an open cycle."
            )
        else:
            self.stdout.write("Demo data found from an earlier run; kept as it is.")
            demo_devices_ensure()

        # Translations shipped after this database was migrated.
        translations_load_shipped(only_missing=True)

        site_url = demo_site_url(addrport)
        if not os.environ.get("SITE_URL"):
            # Links in the demo's e-mails (invitations, password resets) lead to where it
            # is served, not to the default localhost:8000; a SITE_URL given is kept.
            settings.SITE_URL = site_url
        self.stdout.write(self.style.SUCCESS(f"\nDemo portal: {site_url}/"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(login.role) for login in LOGINS)
        keys = {
            device.user.email: secret_base32(device)
            for device in TOTPDevice.objects.filter(confirmed=True).select_related("user")
        }
        for login in LOGINS:
            office = f"  office {login.office}" if login.office else ""
            key = f"  two-factor key {keys[login.email]}" if login.email in keys else ""
            self.stdout.write(
                f"  {login.role.ljust(width)}  {login.email.ljust(26)}{office}{key}".rstrip()
            )
        self.stdout.write(
            "\nThe co-lead and the secretariat also type a 6-digit code after the password: add\n"
            "their two-factor key to an authenticator app (time-based, 6 digits), or print the\n"
            "current code with `uv run manage.py totp_code EMAIL`.\n"
        )
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
