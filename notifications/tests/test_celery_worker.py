"""A real Celery worker process on the local Redis, delivering through a real SMTP server."""

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from notifications.models import EmailNotification
from notifications.services import notify_refund_succeeded
from notifications.tests.factories import RefundFactory

# Db 11 of the local Redis is this test's own; each run also uses its own queue.
BROKER_URL = "redis://127.0.0.1:6379/11"


class RefusesFirstDelivery:
    """An SMTP server having a bad moment: the first message gets a temporary 451."""

    def __init__(self):
        self.refused = 0
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        if not self.refused:
            self.refused += 1
            return "451 4.3.0 Temporary local problem, try again later"
        self.accepted.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database this process uses, as a URL the worker's settings can read."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_broker():
    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis must be running in CI (.ci/run starts it): {exc}")
        pytest.skip(f"needs Redis on 127.0.0.1:6379 (not running here: {exc})")
    return BROKER_URL


@pytest.fixture
def smtp_server():
    handler = RefusesFirstDelivery()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


@pytest.fixture
def worker(redis_broker, smtp_server, tmp_path):
    """`celery -A config worker` on its own queue, sending mail to the flaky SMTP server."""
    queue = f"notifications-test-{uuid.uuid4().hex[:8]}"
    port, _ = smtp_server
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "NOTIFICATION_RETRY_BACKOFF_SECONDS": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--queues", queue, "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    # This process publishes to the same broker and queue instead of running tasks in-process.
    saved = {
        k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")
    }
    celery_app.conf.update(
        broker_url=redis_broker, task_always_eager=False, task_default_queue=queue
    )
    forget_connections()
    try:
        yield log
    finally:
        celery_app.conf.update(saved)
        forget_connections()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Each run's queue is its own: leave nothing of it behind in Redis.
        broker = redis.Redis.from_url(redis_broker)
        broker.delete(queue, *broker.keys(f"_kombu.binding*.{queue}"))


def forget_connections():
    """Make the app rebuild its queues, router and pools from the conf just changed.

    They are cached on first use (an earlier test's eager retry is enough), and a stale router
    would publish to the default queue, where this test's worker is not listening.
    """
    del celery_app.amqp
    celery_app._pool = None


def wait_for(predicate, timeout: float, log):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out; worker log:\n{log.read_text()}")


@pytest.mark.django_db(transaction=True)
def test_it_retries_a_refused_send_on_a_real_worker_and_delivers_once(worker, smtp_server):
    _, server = smtp_server
    refund = RefundFactory(amount=3750)

    with transaction.atomic():
        notification = notify_refund_succeeded(refund)
        notify_refund_succeeded(refund)  # the duplicate webhook inside the same event

    def sent():
        return EmailNotification.objects.get(pk=notification.pk).status == "sent"

    wait_for(sent, timeout=60, log=worker)
    time.sleep(2)  # room for a duplicate to arrive, if one were coming

    notification.refresh_from_db()
    assert server.refused == 1
    assert len(server.accepted) == 1
    assert server.accepted[0].rcpt_tos == [refund.payment.booking.client.email]
    assert b"Your refund of 37.50 USD is on its way" in server.accepted[0].content
    assert notification.attempts == 2
    assert "451" in notification.last_error
