"""Send the outbox's pending tasks to the broker, once or in a loop (the compose service)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from community import outbox

logger = logging.getLogger("community.outbox")


class Command(BaseCommand):
    help = "Send outbox tasks that wait for the broker; with --loop, keep doing it."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run until stopped")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between rounds (--loop)"
        )
        parser.add_argument("--batch", type=int, default=500, help="rows per round at most")

    def handle(self, *args, loop=False, interval=2.0, batch=500, **options):
        if not loop:
            sent = outbox.dispatch_pending(limit=batch)
            self.stdout.write(f"{sent} task(s) sent, {outbox.pending_count()} pending")
            return
        logger.info("outbox: dispatcher started, every %.1f s", interval)
        while True:
            # The loop outlives database restarts: drop a broken connection before each round.
            close_old_connections()
            try:
                sent = outbox.dispatch_pending(limit=batch)
            except Exception:
                logger.exception("outbox: round failed, trying again")
                sent = 0
            if sent:
                logger.info("outbox: %s task(s) sent", sent)
            if sent < batch:
                time.sleep(interval)
