"""A whole deployment on this machine, for the scale-out tests and the load test.

Private PostgreSQL and Redis servers (so they can be killed and restarted without touching
anyone else's), the Stripe emulator, N web instances and M Celery workers (the Procfile's own
commands, with DEBUG=false), Celery beat, and nginx (deploy/nginx.conf) in front. Everything
lives in var/stack-<name>/ (data, logs, rendered config) and listens on free local ports.

    with Stack("loadtest", web=2, workers=2) as stack:
        stack.url               # nginx
        stack.web[0].url        # one instance directly
        stack.postgres.restart()

PostgreSQL's initdb refuses to run as root, so when this runs as root (CI) the server runs as
the `postgres` user. nginx comes from Debian's package (.ci/run installs it when missing).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
WEBHOOK_SECRET = "whsec_stack_0123456789abcdef"
STRIPE_KEY = "sk_test_stack"
# What the app and the workers get, besides the addresses of the services.
APP_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "stack-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    "STRIPE_SECRET_KEY": STRIPE_KEY,
    "STRIPE_PUBLISHABLE_KEY": "pk_test_stack",
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_stack_connect_0123456789",
    "STRIPE_MAX_NETWORK_RETRIES": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "EMAIL_BACKEND": "notifications.backends.ConsoleAndFileBackend",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = 30.0, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not up within {timeout:.0f} s")
        time.sleep(0.2)


def http_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


class Child:
    """One long-running process, its output in a log file; can be killed and started again."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict | None = None, **popen):
        self.name, self.args, self.log_path, self.env, self.popen = name, args, log, env, popen
        self.process: subprocess.Popen | None = None

    def start(self) -> Child:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.popen,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> None:
        if not self.running():
            return
        assert self.process is not None
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL to the process and its children (a Celery worker's pool, gunicorn's workers)."""
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Postgres:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data, self.log_path = folder / "pg", folder / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/fitconnect"
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def create(self) -> None:
        if PG_BIN is None:
            raise RuntimeError(
                "PostgreSQL's server programs are missing (apt-get install postgresql)"
            )
        self.data.mkdir(parents=True)
        self.log_path.touch()
        if self.as_postgres:
            shutil.chown(self.data, "postgres")
            shutil.chown(self.log_path, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "max_connections": 200,
            # A throwaway server: durability is not what is under test, speed on 2 cores is.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("".join(f"{k} = {v}\n" for k, v in settings.items()))
        self.start()
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "fitconnect"],
            check=True,
        )  # fmt: skip

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_for: float = 0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")

    def query(self, sql: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()


class Redis(Child):
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        super().__init__(
            "redis",
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            folder / "redis.log",
        )  # fmt: skip

    def start(self) -> Redis:
        super().start()
        wait_for(lambda: self._ping(), "redis", process=self.process)
        return self

    def _ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def restart(self, down_for: float = 0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


class Web(Child):
    def __init__(self, index: int, folder: Path, env: dict, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / f"metrics-web{index}")
        super().__init__(
            f"web{index}", ["/bin/sh", "-c", procfile("web")], folder / f"web{index}.log", env
        )

    def start(self) -> Web:
        super().start()
        wait_for(lambda: http_status(f"{self.url}/readyz") == 200, self.name, 60, self.process)
        return self


class Stack:
    def __init__(self, name: str, *, web: int = 2, workers: int = 2, web_concurrency: int = 2,
                 worker_concurrency: int = 2, beat: bool = True, webhooks: bool = True,
                 extra_env: dict | None = None):  # fmt: skip
        self.folder = ROOT / "var" / f"stack-{name}"
        self.n_web, self.n_workers, self.beat = web, workers, beat
        self.web_concurrency, self.worker_concurrency = web_concurrency, worker_concurrency
        self.extra_env = extra_env or {}
        # False: the emulator delivers no events (a test delivers the ones it builds itself).
        self.webhooks = webhooks
        self.web: list[Web] = []
        self.workers: list[Child] = []
        self.others: list[Child] = []

    # --- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.folder.exists():
            Postgres(self.folder).destroy()
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        (self.folder / "mail").mkdir()
        self.postgres = Postgres(self.folder)
        self.postgres.create()
        self.redis = Redis(self.folder).start()
        self.stripe_port = free_port()
        self.stripe_url = f"http://127.0.0.1:{self.stripe_port}"
        self.nginx_port = free_port()
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", "/"),
            **APP_ENV,
            "DATABASE_URL": self.postgres.url,
            "CELERY_BROKER_URL": f"{self.redis.url}/0",
            "CACHE_URL": f"{self.redis.url}/1",
            "STRIPE_API_BASE": self.stripe_url,
            "SITE_URL": self.url,
            "EMAIL_FILE_PATH": str(self.folder / "mail"),
            "STATIC_ROOT": str(self.folder / "static"),
            **self.extra_env,
        }
        emulator = Child(
            "emulator",
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "stripe_emulator",
                "--port",
                str(self.stripe_port),
            ],
            self.folder / "emulator.log",
            self.env,
        ).start()
        self.others.append(emulator)
        wait_for(lambda: http_status(f"{self.stripe_url}/v1/balance") < 500, "emulator")
        self.register_webhook()
        release = subprocess.run(
            ["/bin/sh", "-c", procfile("release")],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if release.returncode:
            raise RuntimeError(f"release step failed:\n{release.stdout}\n{release.stderr}")
        self.web = [
            Web(i + 1, self.folder, self.env, self.web_concurrency).start()
            for i in range(self.n_web)
        ]
        self.workers = [self.worker(i + 1).start() for i in range(self.n_workers)]
        if self.beat:
            beat = Child(
                "beat",
                ["/bin/sh", "-c", procfile("beat") + f" --schedule {self.folder / 'beat'}"],
                self.folder / "beat.log",
                self.env,
            )
            self.others.append(beat.start())
        self.nginx = self.start_nginx()
        wait_for(lambda: self.workers_ready(), "celery workers", 60)

    def close(self) -> None:
        for child in [getattr(self, "nginx", None), *self.web, *self.workers, *self.others]:
            if child is not None:
                child.stop()
        if hasattr(self, "redis"):
            self.redis.stop()
        if hasattr(self, "postgres"):
            self.postgres.destroy()

    # --- parts ---------------------------------------------------------------------------
    def worker(self, index: int) -> Child:
        command = procfile("worker") + (
            f" --hostname worker{index}@%h --concurrency {self.worker_concurrency}"
        )
        return Child(
            f"worker{index}",
            ["/bin/sh", "-c", command],
            self.folder / f"worker{index}.log",
            self.env,
        )

    def workers_ready(self) -> bool:
        return all(" ready." in w.log() for w in self.workers)

    def restart_worker(self, index: int) -> None:
        """Start worker `index` (1-based) again after a kill, as a supervisor would."""
        self.workers[index - 1] = self.worker(index).start()
        wait_for(lambda: self.workers_ready(), "celery workers", 60)

    def start_nginx(self) -> Child:
        prefix = self.folder / "nginx"
        prefix.mkdir()
        upstreams = "\n        ".join(
            f"server 127.0.0.1:{w.port} max_fails=1 fail_timeout=10s;" for w in self.web
        )
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        for key, value in {
            "LISTEN": f"127.0.0.1:{self.nginx_port}",
            "UPSTREAMS": upstreams,
            "PREFIX": str(prefix),
        }.items():
            conf = conf.replace("{{" + key + "}}", value)
        (prefix / "nginx.conf").write_text(conf)
        user = "user root;" if os.geteuid() == 0 else ""
        nginx = Child(
            "nginx",
            ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr",
             "-g", f"daemon off; {user}"],
            self.folder / "nginx.log",
        ).start()  # fmt: skip
        wait_for(lambda: http_status(f"{self.url}/healthz") == 200, "nginx", process=nginx.process)
        return nginx

    def register_webhook(self) -> None:
        hook = {"url": f"{self.url}/api/v1/payments/webhook/", "secret": WEBHOOK_SECRET}
        if not self.webhooks:
            hook["events"] = ["fitconnect.never"]  # the emulator cannot delete a webhook
        body = json.dumps(hook).encode()
        request = urllib.request.Request(
            f"{self.stripe_url}/_config/webhooks/fitconnect",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    # --- helpers -------------------------------------------------------------------------
    def python(self, code: str, timeout: float = 300) -> str:
        """Run `code` in a process with the stack's settings (django.setup() done); its stdout."""
        result = subprocess.run(
            [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"stack python failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def json_logs(self, child: Child) -> list[dict]:
        lines = []
        for line in child.log().splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines
