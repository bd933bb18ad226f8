"""A small per-process memo with a time limit, for configuration read on every request
(workflow stages, tiers, taxonomy, SLA policies, permissions). Unlike Django's local-memory
cache it does not pickle values on every read. An admin's change clears the entry at once in
the process that saved it (signals in the apps' ready()); other processes see it within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_store: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def remember(key: str, loader: Callable[[], T], ttl: float = 60.0) -> T:
    entry = _store.get(key)
    now = time.monotonic()
    if entry is not None and entry[0] > now:
        return entry[1]
    value = loader()
    with _lock:
        _store[key] = (now + ttl, value)
    return value


def forget(key: str) -> None:
    with _lock:
        _store.pop(key, None)


def forget_prefix(prefix: str) -> None:
    with _lock:
        for key in [k for k in _store if k.startswith(prefix)]:
            del _store[key]


def clear() -> None:
    with _lock:
        _store.clear()
