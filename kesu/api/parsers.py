"""JSON bodies without the ways they crash a parser: nesting too deep for Python's decoder (a
``RecursionError``, a 500 before) is a 400 in the API's error shape like any other bad JSON."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
