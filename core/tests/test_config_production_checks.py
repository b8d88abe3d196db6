"""With DEBUG=false the app refuses to start without its secrets, and passes check --deploy.

Each case runs manage.py in a subprocess with a clean environment: settings are read once per
process, so only a new process shows what a production start does.
"""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

REQUIRED = [
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_CONNECT_WEBHOOK_SECRET",
]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7Vq2-production-like-secret-key-with-enough-entropy-9xYz3LmN0pQr",
    "STRIPE_SECRET_KEY": "sk_test_deploy-check",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_deploy-check",
    "STRIPE_WEBHOOK_SECRET": "whsec_fitconnect_test",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_fitconnect_connect_test",
    "ALLOWED_HOSTS": "fitconnect.example.com",
    # A cache all processes share (only connected to when something counts in it).
    "CACHE_URL": "redis://127.0.0.1:6379/15",
}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    # DATABASE_URL passes through so this works on the PostgreSQL run too.
    if "DATABASE_URL" in os.environ:
        clean["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_it_refuses_to_start_in_production_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run(["manage.py", "check"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    named = set(re.findall(r"\b([A-Z_]+) is not set", output))
    assert named == {missing}, output
    assert "Traceback" not in output


def test_it_stops_gunicorn_too_which_runs_no_system_checks():
    env = {k: v for k, v in PRODUCTION.items() if k != "STRIPE_WEBHOOK_SECRET"}
    result = run(["-c", "import config.wsgi"], env)
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET is not set" in result.stderr


def test_it_starts_in_production_with_everything_set():
    result = run(["-c", "import config.wsgi"], PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_it_passes_check_deploy_with_no_warnings(tmp_path):
    # The release step collects the static files first (core/tests/test_production_pages.py).
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
    collected = run(["manage.py", "collectstatic", "--noinput"], env)
    assert collected.returncode == 0, collected.stderr
    result = run(["manage.py", "check", "--deploy"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # django-ratelimit's own cache warnings are silenced in settings (config/checks.py checks).
    assert "System check identified no issues" in output, output
    assert "Warning" not in output and "WARNING" not in output, output


def test_it_needs_no_secrets_in_development():
    result = run(["manage.py", "check"], {"DEBUG": "true"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(settings.DEV_DEFAULTS))
def test_it_refuses_to_start_with_a_public_development_default(name):
    env = {**PRODUCTION, name: settings.DEV_DEFAULTS[name]}
    for command in (["manage.py", "check"], ["-c", "import config.wsgi"]):
        result = run(command, env)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert f"{name} is the public development default" in output, output


@pytest.mark.parametrize("cache", ["locmemcache://", "dummycache://", "filecache:///tmp/fc-cache"])
def test_it_refuses_a_cache_each_process_keeps_for_itself(cache):
    for command in (["manage.py", "check"], ["-c", "import config.wsgi"]):
        result = run(command, {**PRODUCTION, "CACHE_URL": cache})
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert "CACHE_URL" in output and "per process" in output, output
