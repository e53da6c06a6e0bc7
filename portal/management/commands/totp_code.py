from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import email_normalised
from portal.accounts.two_factor import current_code


class Command(BaseCommand):
    help = (
        "Prints the current two-factor code of a person (DEBUG only): for the demo logins, "
        "instead of an authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's e-mail address.")

    def handle(self, *args, email, **options):
        # Anyone able to run this on a real server could log in as anyone: development only.
        if not settings.DEBUG:
            raise CommandError("totp_code runs only with DEBUG on.")
        device = (
            TOTPDevice.objects.filter(user__email=email_normalised(email), confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{email} has no two-factor authenticator.")
        self.stdout.write(current_code(device))
