"""The services' clock. Production reads the wall clock; the demo seeder and tests may set the
time for a block (``with clock.frozen(at): ...``) so every stamp and audit event agrees."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("kesu_clock", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
