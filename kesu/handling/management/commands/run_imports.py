"""Run the bulk-import jobs that wait (queued, or left by a run that died), to their end."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kesu.handling.importer import run_pending_imports


class Command(BaseCommand):
    help = "Run waiting bulk-import jobs now (kesu serve's loop and Celery do this on their own)."

    def handle(self, *args, **options):
        count = run_pending_imports(limit=100)
        self.stdout.write(f"{count} import job(s) run")
