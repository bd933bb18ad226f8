"""Configuration refuses unsafe production settings; `kesu serve` really serves the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ENV = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env={**ENV, **env}, capture_output=True, text=True, timeout=120
    )


def test_debug_off_with_the_demo_secret_refuses_to_start():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup()", DEBUG="0"
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_off_with_a_real_secret_starts_with_secure_cookies():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup();"
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.ALLOWED_HOSTS)"
    )
    result = run_python(code, DEBUG="0", SECRET_KEY="s" * 50, ALLOWED_HOSTS="kesu.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True ['kesu.example.com']"


def test_database_url_selects_postgresql():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup();"
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    )
    result = run_python(code, DATABASE_URL="postgres://kesu@db.internal:5432/kesu")
    assert result.stdout.strip() == "django.db.backends.postgresql kesu"


def test_kesu_serve_serves_the_login_page(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**ENV, "KESU_VAR_DIR": str(tmp_path), "KESU_SQLITE_PATH": str(tmp_path / "serve.sqlite3")}
    env["SECRET_KEY"] = "s" * 50  # kesu serve runs with DEBUG off, so it needs a real secret
    migrate = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "manage", "migrate", "-v", "0"],
        env=env,
        timeout=180,
        capture_output=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "kesu.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    page = response.read().decode()
                    break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("kesu serve did not answer within 60 s")
                time.sleep(0.5)
        assert "登录" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/kesu/kesu.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_kesu_serve_refuses_the_demo_secret_unless_debug_is_asked_for(tmp_path):
    env = {**ENV, "KESU_VAR_DIR": str(tmp_path), "KESU_SQLITE_PATH": str(tmp_path / "serve.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "serve", "--bind", "127.0.0.1:1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


#: The production settings the README documents, behind a TLS-terminating proxy.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3su-" + "x7Qp" * 12,
    "ALLOWED_HOSTS": "kesu.example.com",
    "KESU_BEHIND_TLS_PROXY": "1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**ENV, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_shares_the_cache_and_check_deploy_says_when_it_does_not():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup();"
        "from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    result = run_python(code, **PRODUCTION)
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/0"]
    result = run_python(code, **PRODUCTION, KESU_CACHE_URL="redis://cache.internal:6379/2")
    assert result.stdout.split()[1] == "redis://cache.internal:6379/2"
    without = {k: v for k, v in PRODUCTION.items() if k != "CELERY_BROKER_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in ENV.items() if k not in {"CELERY_BROKER_URL", "KESU_CACHE_URL"}}, **without},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "kesu.W001" in result.stdout + result.stderr


def test_behind_tls_the_app_redirects_to_https_and_sends_hsts():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SECURE_REFERRER_POLICY)"
    )
    result = run_python(code, **PRODUCTION)
    assert result.stdout.strip() == "True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') same-origin", (
        result.stderr
    )


@pytest.mark.django_db
def test_the_embedded_default_sends_tasks_without_a_broker_warning(caplog):
    import logging

    from kesu.notifications.tasks import deliver_outbox

    with caplog.at_level(logging.WARNING):
        deliver_outbox.delay()
    assert not [r for r in caplog.records if "hostname" in r.getMessage()]
