import pytest

from kesu.core.analysis import get_engine


@pytest.fixture(scope="session")
def engine():
    return get_engine()


def triggers(result) -> dict[str, str]:
    return {t.code: t.evidence for t in result.escalation.triggers}
