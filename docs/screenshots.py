"""Screenshots of the main pages for the README, from the demo data in a throwaway database.

    .venv/bin/python docs/screenshots.py [--count 300] [--out docs/screenshots]

Seeds the demo (``kesu.demo.seed.seed_demo``) into a temporary SQLite database, serves it with
``kesu serve`` (gunicorn, one worker) on a free local port, logs in as agent, lead and manager in
headless Chromium (Debian's /usr/bin/chromium and /usr/bin/chromedriver; nothing is downloaded)
and saves PNGs. The project's own database in var/ is never touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64decode
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "kesu-demo"
WIDTH = 1360


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict[str, str], count: int) -> None:
    """Migrate and seed the temporary database, in a child process so this one stays Django-free."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from kesu.demo.seed import seed_demo\n"
        "call_command('migrate', verbosity=0)\n"
        f"print('seeded', seed_demo(count={count}), 'complaints', flush=True)\n"
        "call_command('sweep')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def pick_complaint(env: dict[str, str]) -> tuple[str, str]:
    """A complaint in a middle stage with a heated customer and a conversation: its reference and
    the user to show it to (its owner, so the page shows the handling tools)."""
    code = """
import django; django.setup()
from kesu.complaints.models import Complaint
from kesu.core.replies import stop_reminder
rows = Complaint.objects.filter(
    stage__in=["listen", "confirm", "propose"], owner__username__in=["agent", "lead"]
).prefetch_related("messages")
def heat(c):
    said = [m for m in c.messages.all() if m.kind == "customer" and (m.analysis or {}).get("emotion")]
    last = said[-1].analysis["emotion"] if said else {}
    stop = bool(last) and stop_reminder(last["label"], float(last.get("intensity") or 0), threshold=0.7) is not None
    emotion = (c.analysis or {}).get("emotion", {})
    hot = float(emotion.get("intensity") or 0) if emotion.get("label") in ("anger", "disappointment") else 0
    triggers = bool((c.analysis or {}).get("escalation", {}).get("triggers"))
    return (len(said) >= 2, stop, triggers, round(hot, 1), c.owner.username == "agent")
best = max(rows, key=heat)
print(best.reference, best.owner.username)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    reference, owner = out.stdout.split()[-2:]
    return reference, owner


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


class Camera:
    def __init__(self, base: str, out: Path):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            f"--window-size={WIDTH},900",
            "--lang=zh-CN",
            "--force-device-scale-factor=1",
        ):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.base, self.out = base, out

    def login(self, username: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.delete_all_cookies()
        self.driver.get(f"{self.base}/login/")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "section.card form button[type=submit]").click()
        WebDriverWait(self.driver, 20).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, ".topbar .who"))
        )

    def shoot(
        self, path: str, name: str, *, max_height: int = 1400, ready: str = "main", width: int = WIDTH
    ) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.set_window_size(width, 900)
        self.driver.get(f"{self.base}{path}")
        WebDriverWait(self.driver, 30).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ready)))
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1}
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        target = self.out / name
        target.write_bytes(b64decode(shot["data"]))
        print(
            f"{target.relative_to(ROOT)}  {clip['width']}x{clip['height']}  {target.stat().st_size // 1024} KB"
        )

    def close(self) -> None:
        self.driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="demo complaints to seed")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            raise SystemExit(f"{path} is missing (apt-get install chromium chromium-driver)")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="kesu-screenshots-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"}}
        env.update(
            DJANGO_SETTINGS_MODULE="kesu.settings",
            KESU_VAR_DIR=tmp,
            KESU_SQLITE_PATH=str(Path(tmp) / "kesu.sqlite3"),
            PYTHONPATH=str(ROOT),
            SE_OFFLINE="true",
            KESU_DEMO="1",  # served as ``kesu demo`` serves: DEBUG off on the demo secret, plain HTTP
        )
        prepare(env, args.count)
        reference, owner = pick_complaint(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "kesu.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        camera = None
        try:
            wait_for(f"{base}/login/")
            camera = Camera(base, args.out)
            camera.shoot("/login/", "login.png", max_height=560)
            camera.login("agent")
            camera.shoot("/", "home-agent.png", max_height=1100)
            camera.shoot("/complaints/?open=true", "queue.png", max_height=1100)
            if owner != "agent":
                camera.login(owner)
            camera.shoot(f"/complaints/{reference}/", "complaint.png", max_height=2000)
            camera.shoot("/complaints/?open=true", "queue-phone.png", max_height=1300, width=390)
            camera.login("lead")
            camera.shoot("/", "home-lead.png", max_height=1100)
            camera.shoot("/approvals/", "approvals.png", max_height=1000)
            camera.login("manager")
            camera.shoot("/metrics/", "kpi-dashboard.png", max_height=1800)
            camera.shoot("/reviews/", "reviews.png", max_height=1100)
            camera.shoot("/qa/", "quality-inspection.png", max_height=1100)
            camera.shoot("/training/", "training.png", max_height=1100)
            camera.shoot("/api/docs/", "api-docs.png", max_height=1100, ready=".swagger-ui .opblock")
        finally:
            if camera is not None:
                camera.close()
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
