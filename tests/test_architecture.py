"""The house rules that an import graph cannot see (the layers themselves are import-linter's
contracts in pyproject.toml, run by ``make lint``). Framework-free: these read the source, so
``make lint`` runs them too (``pytest -p no:django tests/test_architecture.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KESU = Path(__file__).resolve().parent.parent / "kesu"
SOURCES = sorted(p for p in KESU.rglob("*.py") if "migrations" not in p.parts)
REFUSALS = {"ComplaintError", "Conflict", "LinkRefused", "ImportFileError", "QaError", "ReviewError", "TrainingError"}
#: DRF's token authentication reads DRF's own Token model: the plumbing of a request, not a read
#: of the domain.
MANAGER_EXEMPT = {KESU / "api" / "authentication.py"}


def _app(path: Path) -> str:
    """The app (or top-level module) a file belongs to: kesu/sla/clocks.py -> 'sla'."""
    return path.relative_to(KESU).parts[0].removesuffix(".py")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(KESU.parent)}:{getattr(node, 'lineno', 0)}"


def test_no_app_imports_another_apps_private_names():
    """Apps reach each other through public modules (``lock_complaint``, not ``_locked``)."""
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kesu."):
                other = node.module.split(".")[1]
                private = [
                    a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
                ]
                if private and other != _app(path):
                    found.append(f"{_where(path, node)} imports {private} from {node.module}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("package", ["web", "api"])
def test_pages_and_the_api_never_touch_a_model_manager(package):
    """Web pages and the API read through selectors and write through acts: no ``Model.objects``,
    no ``_meta``, no SQL of their own."""
    found = []
    for path in sorted(set((KESU / package).rglob("*.py")) - MANAGER_EXEMPT):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in {"objects", "_meta", "raw", "cursor"}:
                found.append(f"{_where(path, node)} uses .{node.attr}")
    assert not found, "\n".join(found)


def test_every_refusal_takes_its_code_from_the_registry():
    """``ComplaintError(ErrorCode.X, …)``, never a string of its own: one list of stable codes."""
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in REFUSALS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(f"{_where(path, node)} refuses with the literal {node.args[0].value!r}")
    assert not found, "\n".join(found)


def test_capabilities_do_not_import_the_floor_above_them():
    """Only interfaces (web, API, demo, CLI, URLs, tasks and commands of kesu.handling) import
    kesu.handling — the same rule as the layers contract, stated where a reader of tests looks."""
    allowed = {"handling", "web", "api", "demo", "cli", "urls"}
    found = []
    for path in SOURCES:
        if _app(path) in allowed:
            continue
        for node in ast.walk(_tree(path)):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(name == "kesu.handling" or name.startswith("kesu.handling.") for name in names):
                found.append(f"{_where(path, node)} imports kesu.handling")
    assert not found, "\n".join(found)


BLOCKER = """
import sys
from importlib.abc import MetaPathFinder


class Blocked(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"django", "rest_framework", "drf_spectacular", "celery"}:
            raise ImportError(f"{name} is not installed here")


sys.meta_path.insert(0, Blocked())
import pytest

sys.exit(pytest.main(["-q", "-p", "no:django", "-p", "no:cacheprovider", "tests/core"]))
"""


def test_the_cores_tests_run_where_django_drf_and_celery_are_not_installed():
    import subprocess
    import sys

    root = KESU.parent
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER], cwd=root, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
