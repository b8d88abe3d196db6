"""`make serve`: the production profile (Procfile) on this machine, against the Stripe emulator.

What it does, in order (the README's "Production" section says the same for a real platform):
1. The environment of a production start: DEBUG=false; DATABASE_URL (default: the local
   PostgreSQL's `fitconnect` database, created when missing); CELERY_BROKER_URL and CACHE_URL (the
   local Redis, databases 0 and 1); SECRET_KEY and STRIPE_WEBHOOK_SECRET generated once into
   var/serve.env; the emulator's Stripe keys; plain HTTP on 127.0.0.1 (SECURE_SSL_REDIRECT=false:
   no TLS proxy in front here); e-mails saved in var/mail/ (no mail server here). Anything set
   in the environment or in .env wins over these defaults, except DEBUG.
2. The Stripe emulator on 127.0.0.1:$STRIPE_EMULATOR_PORT (default 8420), with the app's
   webhook registered.
3. The Procfile's `release` step (migrate, collectstatic).
4. `honcho start web worker beat`: gunicorn on $PORT (default 8000), a Celery worker and beat,
   their output on this console prefixed by process name.
It prints where everything is once /readyz answers 200. Ctrl-C (or SIGTERM) stops honcho, which
stops its processes, then the emulator.
"""

# ruff: noqa: S603 (fixed argv of our own tools)
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg
import redis
from run import (
    Abort,
    _die_with_parent,
    emulator_command,
    port_in_use,
    register_webhook,
    shut_down,
    wait_until_up,
    watch,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var"
SECRETS_FILE = VAR / "serve.env"
HOST = "127.0.0.1"


def say(message: str) -> None:
    print(f"[make serve] {message}", flush=True)


def hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def generated_secrets() -> dict[str, str]:
    """SECRET_KEY and the webhook secret, made once and kept in var/serve.env: sessions and
    tokens survive a restart, and nothing secret is ever committed."""
    if not SECRETS_FILE.exists():
        VAR.mkdir(exist_ok=True)
        SECRETS_FILE.touch(mode=0o600)
        SECRETS_FILE.write_text(
            f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"STRIPE_WEBHOOK_SECRET=whsec_{secrets.token_hex(24)}\n"
        )
    if "STRIPE_CONNECT_WEBHOOK_SECRET=" not in SECRETS_FILE.read_text():
        # A var/serve.env made before connected accounts' webhooks had their own endpoint.
        with SECRETS_FILE.open("a") as f:
            f.write(f"STRIPE_CONNECT_WEBHOOK_SECRET=whsec_{secrets.token_hex(24)}\n")
    return dict(line.split("=", 1) for line in SECRETS_FILE.read_text().splitlines() if "=" in line)


def production_env() -> dict[str, str]:
    # .env as Django reads it (the environment wins), so the defaults below yield to it too.
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    env = dict(os.environ)
    port = env.setdefault("PORT", "8000")
    emulator_port = env.setdefault("STRIPE_EMULATOR_PORT", "8420")
    defaults = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fitconnect",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "STRIPE_API_BASE": f"http://{HOST}:{emulator_port}",
        "STRIPE_SECRET_KEY": "sk_test_emulator",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_emulator",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://{HOST}:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "notifications.backends.ConsoleAndFileBackend",
        **generated_secrets(),
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    env["DEBUG"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Procfile commands name `python`, `gunicorn`, `celery`: this venv's.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def check_redis(env: dict) -> None:
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = env[name]
        if not url.startswith("redis"):
            continue
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as e:
            raise Abort(
                f"Redis is not reachable at {hide_password(url)} ({name}): {e}. Start it "
                "(redis-server) or point the variable at yours."
            ) from None


def create_database(url: str) -> bool:
    """Create DATABASE_URL's database when it does not exist; True if it was created."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise Abort(f"make serve runs on PostgreSQL; DATABASE_URL is {hide_password(url)}.")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    except psycopg.Error as e:
        raise Abort(f"PostgreSQL at {hide_password(maintenance)}: {e}") from None


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise Abort(f"The Procfile has no `{name}` process.")


def wait_ready(url: str, honcho: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if honcho.poll() is not None:
            raise Abort("The processes stopped while starting (their output is above).")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own loopback URL)
                return
        except urllib.error.HTTPError as e:
            last = e.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as e:
            last = str(e)
        time.sleep(0.5)
    raise Abort(f"{url} did not answer 200 within {timeout:.0f} s: {last}")


def main() -> int:
    env = production_env()
    port, emulator_port = int(env["PORT"]), int(env["STRIPE_EMULATOR_PORT"])
    app_url, stripe_url = f"http://{HOST}:{port}", f"http://{HOST}:{emulator_port}"
    busy = [p for p in (port, emulator_port) if port_in_use(p)]
    if busy:
        raise Abort(
            f"Port(s) {', '.join(map(str, busy))} already in use (`make run`, another `make "
            "serve`?). Stop it, or choose others: make serve PORT=... STRIPE_EMULATOR_PORT=..."
        )
    check_redis(env)
    if create_database(env["DATABASE_URL"]):
        say(f"Created the database {hide_password(env['DATABASE_URL'])}.")

    children: list[tuple[str, subprocess.Popen]] = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        emulator_log = VAR / "stripe-emulator.log"
        say(f"Starting the Stripe emulator on {stripe_url} (log: var/{emulator_log.name})...")
        with open(emulator_log, "ab") as log:
            emulator = subprocess.Popen(
                emulator_command(emulator_port),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        children.append(("Stripe emulator", emulator))
        wait_until_up(f"{stripe_url}/v1/balance", emulator, "The Stripe emulator", emulator_log)
        register_webhook(
            env["STRIPE_WEBHOOK_SECRET"], stripe_url, f"{app_url}/api/v1/payments/webhook/"
        )
        register_webhook(
            env["STRIPE_CONNECT_WEBHOOK_SECRET"],
            stripe_url,
            f"{app_url}/api/v1/payments/webhook/connect/",
            hook_id="fitconnect-connect",
            connect=True,
        )

        say("Release step (Procfile `release`): migrate, collectstatic...")
        release = subprocess.run(["/bin/sh", "-c", procfile_command("release")], cwd=ROOT, env=env)
        if release.returncode != 0:
            raise Abort(f"The release step failed (exit {release.returncode}).")

        say(f"Starting web (gunicorn on {app_url}), worker and beat through honcho...")
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "web", "worker", "beat"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us; we stop honcho, it stops its processes
            preexec_fn=_die_with_parent,
        )
        children.append(("honcho", honcho))
        wait_ready(f"{app_url}/readyz", honcho)
        print(
            "\n"
            f"  FitConnect, production profile (DEBUG=false), is ready:\n"
            f"  web pages:            {app_url}/\n"
            f"  REST API:             {app_url}/api/v1/\n"
            f"  API docs (Swagger):   {app_url}/api/docs/\n"
            f"  admin:                {app_url}/admin/  (make an account: .venv/bin/python "
            "manage.py createsuperuser)\n"
            f"  health / readiness:   {app_url}/healthz  {app_url}/readyz\n"
            f"  database:             {hide_password(env['DATABASE_URL'])}\n"
            f"  broker / cache:       {hide_password(env['CELERY_BROKER_URL'])}  "
            f"{hide_password(env['CACHE_URL'])}\n"
            f"  Stripe emulator:      {stripe_url}  (webhook -> {app_url}/api/v1/payments/"
            "webhook/)\n"
            f"  e-mails:              saved in {env.get('EMAIL_FILE_PATH', 'var/mail')}/\n"
            f"  logs:                 this console, one JSON line per event, by process\n\n"
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        watch(children)
    except KeyboardInterrupt:
        say("Stopping...")
        return 0
    finally:
        shut_down(children)
        if children:
            say("Stopped.")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Abort as e:
        print(f"[make serve] Error: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
