"""Shared test set-up. This file stays framework-free, so the core's tests run with no Django,
DRF or Celery at all (``pytest -p no:django tests/core``); the Django fixtures are a plugin,
:mod:`tests.django_fixtures`, loaded only when pytest-django is."""

from __future__ import annotations

import os
import socket

# The semantic tier (the encoder, ~35 ms a text) is off unless a test asks for it (tests/core/analysis/
# test_semantic.py loads it explicitly): rules and the product's flows are tested on the fast tier.
os.environ.setdefault("KESU_SEMANTIC", "0")

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("django"):
        config.pluginmanager.import_plugin("tests.django_fixtures")


def service_reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def require_service(port: int, name: str) -> None:
    """Skip locally when a service is down; in CI (KESU_REQUIRE_SERVICES=1) fail instead."""
    if service_reachable(port):
        return
    if os.environ.get("KESU_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} on 127.0.0.1:{port} is required in CI but not reachable")
    pytest.skip(f"{name} on 127.0.0.1:{port} is not running")
