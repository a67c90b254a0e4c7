from django.core.management.base import BaseCommand

from community.demo import DEMO_PASSWORD, seed_forums, seed_members, seed_people
from community.models import User
from knowledgebase.demo import DEMO_SEEDERS, seed_case_studies, seed_discussions


class Command(BaseCommand):
    help = "Create the demo content (idempotent: running it again adds no duplicates)."

    def handle(self, *args, **options):
        seeded = seed_members()
        seed_people()
        seed_forums()
        editor = User.objects.get(username="elena")
        seed_case_studies(editor=editor)
        seed_discussions(author=editor)
        for seed in DEMO_SEEDERS:  # the apps built on the knowledge base (events)
            seed(editor=editor)
        self.stdout.write(self.style.SUCCESS("Demo content is ready. Demo accounts:"))
        for demo, user in seeded:
            if not demo.label:
                continue
            line = f"  {demo.label:<24} {user.email:<32} password: {DEMO_PASSWORD}"
            if demo.totp_secret:
                line += f"  (two-factor secret {demo.totp_secret}; `make totp who={user.username}`)"
            self.stdout.write(line)
        self.stdout.write(f"  Other demo members sign in the same way; all use {DEMO_PASSWORD}.")
