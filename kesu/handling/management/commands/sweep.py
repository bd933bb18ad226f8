import json

from django.core.management.base import BaseCommand

from kesu.handling.sweep import sweep


class Command(BaseCommand):
    help = "Run the SLA sweep once: warn at-risk owners, escalate breaches, send the 48-hour SMS."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(sweep().as_dict(), ensure_ascii=False))
