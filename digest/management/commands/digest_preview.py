"""Print the text of the digest a member would get for the last complete period."""

from django.core.management.base import BaseCommand, CommandError

from community.models import DigestFrequency, User
from digest.delivery import digest_message, preview
from digest.periods import KINDS


class Command(BaseCommand):
    help = "Print the text version of a member's digest (nothing is sent or recorded)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--kind", choices=KINDS, default=DigestFrequency.WEEKLY)

    def handle(self, *args, username, kind, **options):
        user = User.objects.select_related("profile").filter(username=username).first()
        if user is None:
            raise CommandError(f"No member with the username {username!r}.")
        built = preview(user=user, kind=kind)
        if built.is_empty:
            self.stderr.write("Nothing new for this member: no digest would be sent.")
        message = digest_message(digest=built, message_id="<preview@medi4sec.local>")
        self.stdout.write(f"Subject: {message.subject}\n\n{message.body}")
