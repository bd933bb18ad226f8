"""The Celery broker's Redis transport, as kombu's, but with one Redis client per channel for what the
channel sends and asks (``CELERY_BROKER_TRANSPORT`` names it for ``redis://`` brokers; settings).

kombu's Redis channel builds a new ``redis.Redis`` client for every message it publishes (and every
queue-length or purge it asks), on the channel's one connection pool; building one copies redis-py's
table of some 160 response callbacks, a fifth of what sending the semantic-tier task cost a web process
per intake. A client is only the pool and that table, and redis-py's clients may be shared between
threads (each command takes a connection from the pool), so the channel keeps one. Everything else —
the pool, the connections, the messages, the consumer's blocking reads — is kombu's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    @cached_property
    def _sending_client(self) -> Any:
        return self._create_client()

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._sending_client

    def _disconnect_pools(self) -> None:
        """kombu drops the channel's pools on closing, after a fork and when the first ping fails:
        the kept client goes with them, so the next one is built on the new pool."""
        self.__dict__.pop("_sending_client", None)
        super()._disconnect_pools()


class Transport(redis.Transport):
    Channel = Channel
