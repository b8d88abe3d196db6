"""The production start serves pages: `collectstatic` succeeds with DEBUG=false, and every page
(web, admin, API docs) answers through the production settings with its static files.

Each step runs in a new process with a clean environment, on a database of its own: settings are
read once per process, and only a new process shows what a production start does.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from core.tests.test_config_production_checks import PRODUCTION

# Run inside the production process: a user of each role, then every page each of them sees, and
# every static file those pages name. Prints {path: status} as JSON.
FETCH_PAGES = r"""
import json, re, sys
import django
django.setup()
from django.test import Client
from core.tests.factories import AdminFactory, BookingFactory, ClientFactory, TrainerProfileFactory

trainer = TrainerProfileFactory()
client = ClientFactory()
booking = BookingFactory(client=client, trainer=trainer)
admin = AdminFactory()
pages = {
    None: ["/", "/trainers/", f"/trainers/{trainer.pk}/", "/login/", "/signup/",
           "/admin/login/", "/api/docs/", "/api/schema/"],
    client: ["/sessions/", f"/sessions/{booking.pk}/", f"/sessions/{booking.pk}/pay/"],
    trainer.user: ["/trainer/", "/trainer/profile/", "/trainer/availability/"],
    admin: ["/admin/", "/admin/payments/payment/", "/admin/bookings/booking/",
            "/dashboard/analytics/"],
}
status = {}
for user, paths in pages.items():
    browser = Client()
    if user is not None:
        browser.force_login(user)
    for path in paths:
        response = browser.get(path, secure=True)
        status[path] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for asset in set(re.findall(r'"(/static/[^"?#]+)', response.content.decode())):
                served = browser.get(asset, secure=True)
                status[asset] = served.status_code
                if hasattr(served, "close"):
                    served.close()
print(json.dumps(status))
"""


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The environment of a production start, with its own database and STATIC_ROOT."""
    root = tmp_path_factory.mktemp("production")
    env = {
        **PRODUCTION,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "STATIC_ROOT": str(root / "static"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    migrated = run(["manage.py", "migrate", "--noinput"], env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return env


def test_collectstatic_succeeds_with_debug_off(production):
    result = run(["manage.py", "collectstatic", "--noinput"], production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (settings.BASE_DIR / production["STATIC_ROOT"] / "staticfiles.json").exists()


def test_every_page_is_served_with_its_static_files(production):
    collected = run(["manage.py", "collectstatic", "--noinput"], production)
    assert collected.returncode == 0, collected.stderr

    result = run(["-c", FETCH_PAGES], production)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout.strip().splitlines()[-1])
    pages = {p: s for p, s in status.items() if not p.startswith("/static/")}
    assets = {p: s for p, s in status.items() if p.startswith("/static/")}
    assert pages and all(s == 200 for s in pages.values()), pages
    # Pages name hashed files (the manifest), which WhiteNoise serves.
    assert any("/analytics/vendor/chart.umd." in a for a in assets), assets
    assert assets and all(s == 200 for s in assets.values()), assets


def test_check_deploy_says_to_run_collectstatic_first(tmp_path):
    env = {
        **PRODUCTION,
        "STATIC_ROOT": str(tmp_path / "empty"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = run(["manage.py", "check", "--deploy"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "fitconnect.E010" in output and "collectstatic" in output, output


FORGED_TOKEN = r"""
import datetime as dt, json, uuid
import django
django.setup()
import jwt
from django.conf import settings
from django.test import Client
from core.tests.factories import AdminFactory

admin = AdminFactory()
now = dt.datetime.now(dt.UTC)
claims = {"token_type": "access", "exp": now + dt.timedelta(minutes=5), "iat": now,
          "jti": uuid.uuid4().hex, "user_id": str(admin.pk)}
forged = jwt.encode(claims, settings.DEV_DEFAULTS["SECRET_KEY"], algorithm="HS256")
response = Client().get("/api/v1/payments/", HTTP_AUTHORIZATION=f"Bearer {forged}", secure=True)
print(json.dumps({"status": response.status_code}))
"""


def test_a_token_signed_with_the_development_key_is_refused(production):
    """Anyone can read the development SECRET_KEY; a production start never signs with it, so
    an admin token made with it is a 401."""
    result = run(["-c", FORGED_TOKEN], production)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"status": 401}
