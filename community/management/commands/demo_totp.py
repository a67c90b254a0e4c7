import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community.demo import DEMO_MEMBERS


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=[m.username for m in DEMO_MEMBERS if m.totp_secret])

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG on.")
        authenticator = Authenticator.objects.get(
            user__username=username, type=Authenticator.Type.TOTP
        )
        secret = decrypt(authenticator.data["secret"])
        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
