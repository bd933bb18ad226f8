"""Shared fixtures for training: a trainer, trainees of one team, the material's scenarios (seeded by
the migration), and a closed complaint with a conversation full of personal data."""

from __future__ import annotations

import pytest

from kesu.practice.models import Scenario
from tests.factories import UserFactory
from tests.qa.conftest import close

PERSONAL_TEXT = (
    "我是张伟，手机13812345678，订单DD2026031500123，3月15日买的手表花了1299元，一周就坏了，我要退货！"
)


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", team=None, role="trainer")


@pytest.fixture
def trainer2(db):
    return UserFactory(username="trainer2", team=None, role="trainer")


@pytest.fixture
def agent3(team):
    return UserFactory(username="agent3", team=team, role="agent")


@pytest.fixture
def scenario(db) -> Scenario:
    return Scenario.objects.get(code="compensation_beyond_standard")


@pytest.fixture
def product(db) -> Scenario:
    return Scenario.objects.get(code="product_not_as_expected")


@pytest.fixture
def closed_personal(make_complaint, agent):
    complaint = make_complaint(text=PERSONAL_TEXT, channel="chat", order_number="DD2026031500123")
    return close(
        complaint,
        agent,
        replies=(
            "张先生您好，非常抱歉给您添麻烦了。能告诉我具体情况吗？",
            "我的银行卡是6222020000000000009，退款打到这里，地址北京市朝阳区建国路88号3栋1201室。",
            "我今天下午5点前为您办理退货退款，谢谢您的耐心！",
        ),
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
