from django.core.management.base import BaseCommand

from kesu.notifications.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the notifications that are due (SMS, e-mail, webhooks), e.g. from cron."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="most messages to send in this run")

    def handle(self, *args, limit: int, **options):
        report = deliver_due(limit=limit)
        self.stdout.write(
            f"claimed {report.claimed}, sent {report.sent}, retrying {report.retrying}, given up {report.dead}"
        )
