"""`make run`: migrate, seed the demo, start the Stripe emulator and the app, stop both on Ctrl-C.

Plain standard library on purpose: it runs with the project's venv Python but needs nothing else.

Choices worth knowing:
- The Stripe emulator (`manage.py stripe_emulator`: localstripe plus Connect) starts empty every
  time. The price: payments made in an earlier `make run` stay in our database but the emulator
  no longer knows their intents.
- The app runs under `runserver --noreload`: one process we own (the autoreloader forks a child
  that would outlive a signal sent to the parent), request logs on the console, static files
  through WhiteNoise's finders in DEBUG. gunicorn is for production (DEBUG=false).
- Both children get PR_SET_PDEATHSIG, so even if this script is killed with SIGKILL they die with
  it instead of keeping the ports busy.
"""

# ruff: noqa: S603, S104 (fixed argv of our own tools; the bind only probes whether a port is free)
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
APP_PORT = 8000
STRIPE_PORT = 8420
APP_URL = f"http://{HOST}:{APP_PORT}"
STRIPE_URL = f"http://{HOST}:{STRIPE_PORT}"
WEBHOOK_URL = f"{APP_URL}/api/v1/payments/webhook/"
# Where the connected accounts' events go (account.updated, payout.*): their own endpoint.
CONNECT_WEBHOOK_URL = f"{APP_URL}/api/v1/payments/webhook/connect/"
LOG_DIR = ROOT / "var"


class Abort(Exception):
    """A problem the user can fix; printed without a traceback."""


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def port_in_use(port: int) -> bool:
    # SO_REUSEADDR so a port that only has connections in TIME_WAIT (left by our previous run)
    # counts as free, exactly as it does for the servers, which set the same option.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))  # taken on any interface counts
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: Ctrl-C and SIGTERM are still handled by the parent


def manage(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        check=False,
    )
    if result.returncode != 0:
        raise Abort(f"`manage.py {' '.join(args)}` failed (exit {result.returncode}).")
    return result.stdout or ""


def wait_until_up(url: str, proc: subprocess.Popen, name: str, log: Path | None, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            hint = f" Its output is in {log}." if log else ""
            raise Abort(f"{name} exited with code {proc.returncode} while starting.{hint}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback URL)
                return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error status
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise Abort(f"{name} did not answer at {url} within {timeout:.0f} s.")


def emulator_command(port: int) -> list[str]:
    """The Stripe emulator serving the Stripe API on `port` (localstripe on a private port)."""
    return [PYTHON, str(ROOT / "manage.py"), "stripe_emulator", "--port", str(port)]


def register_webhook(
    secret: str,
    stripe_url: str = STRIPE_URL,
    url: str = WEBHOOK_URL,
    *,
    hook_id: str = "fitconnect",
    connect: bool = False,
) -> None:
    """Have the emulator deliver its events to `url`; connect=True: the connected accounts'."""
    body = json.dumps({"url": url, "secret": secret, **({"connect": True} if connect else {})})
    request = urllib.request.Request(  # noqa: S310 (our own loopback URL)
        f"{stripe_url}/_config/webhooks/{hook_id}",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            response.read()
    except (urllib.error.URLError, OSError) as e:
        raise Abort(f"Could not register the webhook with the Stripe emulator: {e}") from None


def webhook_secret(env: dict, name: str = "STRIPE_WEBHOOK_SECRET") -> str:
    # Read through Django's settings so a secret from the environment or .env wins, exactly as
    # it will when the app verifies the signatures.
    out = manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        env=env,
        capture=True,
    )
    return out.strip().splitlines()[-1]


def stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _, proc in reversed(children):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for name, proc in reversed(children):
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within 10 s; killing it.")
            proc.kill()
            proc.wait()


def watch(children: list[tuple[str, subprocess.Popen]]) -> None:
    """Until Ctrl-C: Abort as soon as a child exits on its own."""
    while True:
        for name, proc in children:
            if proc.poll() is not None:
                raise Abort(f"{name} exited unexpectedly with code {proc.returncode}.")
        time.sleep(0.5)


def shut_down(children: list[tuple[str, subprocess.Popen]]) -> None:
    """Stop every child; a second Ctrl-C (our own handlers would interrupt the cleanup) must not
    orphan anything."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop(children)


def main() -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("STRIPE_API_BASE", STRIPE_URL)
    LOG_DIR.mkdir(exist_ok=True)

    busy = [p for p in (APP_PORT, STRIPE_PORT) if port_in_use(p)]
    if busy:
        raise Abort(
            "Port(s) "
            + ", ".join(map(str, busy))
            + " already in use: another `make run` or a server of yours is running. Stop it "
            "(e.g. `ss -ltnp | grep -E ':(8000|8420)'` shows the process) and try again."
        )

    say("Applying migrations to the SQLite database...")
    manage("migrate", "--noinput", "-v", "0", env=env)
    say("Loading demo data...")
    logins = manage("seed_demo", env=env, capture=True)
    secret = webhook_secret(env)
    connect_secret = webhook_secret(env, "STRIPE_CONNECT_WEBHOOK_SECRET")

    children: list[tuple[str, subprocess.Popen]] = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    try:
        stripe_log = LOG_DIR / "stripe-emulator.log"
        say(
            f"Starting the Stripe emulator on {STRIPE_URL} (log: {stripe_log.relative_to(ROOT)})..."
        )
        with open(stripe_log, "ab") as log:
            emulator = subprocess.Popen(
                emulator_command(STRIPE_PORT),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
                preexec_fn=_die_with_parent,
            )
        children.append(("Stripe emulator", emulator))
        wait_until_up(
            f"{STRIPE_URL}/js.stripe.com/v3/", emulator, "The Stripe emulator", stripe_log
        )
        register_webhook(secret)
        register_webhook(
            connect_secret, url=CONNECT_WEBHOOK_URL, hook_id="fitconnect-connect", connect=True
        )
        say(f"Webhooks registered: {STRIPE_URL} -> {WEBHOOK_URL}, {CONNECT_WEBHOOK_URL}")
        # The emulator starts empty: the demo trainers get onboarded accounts there again.
        try:
            say(manage("onboard_demo_trainers", env=env, capture=True).strip())
        except Abort as e:
            say(f"Warning: {e} The demo trainers' transfers will fail until they onboard again.")

        say(f"Starting the app on {APP_URL}...")
        app = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"{HOST}:{APP_PORT}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        children.append(("app", app))
        wait_until_up(f"{APP_URL}/api/schema/", app, "The app", None, timeout=60)

        print(
            "\n"
            f"  FitConnect is running:  {APP_URL}/\n"
            f"  API:                    {APP_URL}/api/v1/\n"
            f"  API docs (Swagger):     {APP_URL}/api/docs/\n"
            f"  OpenAPI schema:         {APP_URL}/api/schema/\n"
            f"  Admin:                  {APP_URL}/admin/\n"
            f"  Stripe emulator:        {STRIPE_URL}\n\n"
            + "\n".join("  " + line for line in logins.strip().splitlines())
            + "\n\n  Press Ctrl-C to stop.\n",
            flush=True,
        )
        watch(children)
    except KeyboardInterrupt:
        say("Stopping...")
        return 0
    finally:
        shut_down(children)
        if children:
            say("Stopped the app and the Stripe emulator.")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Abort as e:
        print(f"[make run] Error: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
