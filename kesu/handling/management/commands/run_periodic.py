"""The embedded default's stand-in for Celery beat: run the SLA sweep, poll the mailbox and
deliver the outbox every minute in a loop, and between rounds refine analyses and run bulk imports and long XLSX exports.
`kesu demo` and `kesu serve` start it beside the web server when no CELERY_BROKER_URL is set;
production runs `celery beat` (and workers) instead."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand

from kesu.handling.analysis import refine_pending
from kesu.handling.importer import run_pending_imports
from kesu.handling.inbound import handle_pending
from kesu.handling.sweep import sweep
from kesu.mailbox.imap import fetch_new
from kesu.metrics.export_jobs import run_pending_exports
from kesu.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Run the SLA sweep and outbox delivery periodically (the embedded default's scheduler)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args, **options):
        parent = os.getppid()
        while True:
            report = sweep()
            try:
                fetch_new()
            except Exception:  # a mail server away must not stop the clocks or the outbox
                self.stderr.write("mailbox poll failed; trying again next round")
            handle_pending()
            delivered = deliver_due(limit=1000)
            if options["verbosity"] > 1:
                self.stdout.write(f"sweep {report.as_dict()} · outbox {delivered.as_dict()}")
            if options["once"]:
                return
            deadline = time.monotonic() + options["interval"]
            while time.monotonic() < deadline:
                if os.getppid() != parent:  # the server it ran beside has gone: stop too
                    return
                # The semantic tier and bulk imports on the embedded default: what intake marked and
                # what was uploaded, within seconds; an import gives the loop back every few seconds.
                try:
                    busy = (
                        refine_pending(limit=20)
                        or run_pending_imports(budget_seconds=15, limit=1)
                        or run_pending_exports(limit=1)
                    )
                except Exception:  # one bad job must not stop the clocks, the outbox and the rest
                    self.stderr.write("background job failed; going on")
                    busy = False
                if not busy:
                    time.sleep(1)
