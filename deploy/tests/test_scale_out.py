"""The guarantees hold across processes: two gunicorn instances (behind nginx), two Celery
workers, one PostgreSQL, one Redis."""

import datetime as dt
import threading
import time
import uuid
from pathlib import Path

import pytest

from deploy.client import call, login, signed_event, stripe
from deploy.stack import WEBHOOK_SECRET

pytestmark = pytest.mark.deploy


def parallel(calls):
    """Run the callables at the same moment (a barrier), each in its own thread; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        barrier.wait(timeout=30)
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def wait_until(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.3)


def start(days: int, hour: int) -> str:
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC).isoformat()


def book(base, token, trainer, start_time):
    return call(
        "POST",
        f"{base}/api/v1/bookings/",
        {"trainer_id": trainer, "start_time": start_time, "duration_minutes": 60},
        token=token,
    )


def paid_at_the_emulator(stack, client_email: str, hour: int) -> tuple[dict, dict]:
    """(booking, intent): a booking whose PaymentIntent the emulator has charged; no event
    has told the app yet."""
    token = login(stack.url, client_email, stack.accounts["password"])
    booking = book(stack.url, token, stack.accounts["trainers"][1], start(4, hour))
    assert booking.status == 201, booking
    checkout = call(
        "POST",
        f"{stack.url}/api/v1/payments/create-payment-intent/",
        {"booking_id": booking.body["id"]},
        token=token,
    )
    assert checkout.status == 200, checkout
    intent_id = checkout.body["payment_intent_id"]
    stripe(stack.stripe_url, "POST", f"/v1/payment_intents/{intent_id}",
           {"payment_method": "pm_card_visa"})  # fmt: skip
    intent = stripe(stack.stripe_url, "POST", f"/v1/payment_intents/{intent_id}/confirm")
    assert intent.body["status"] == "succeeded", intent
    return booking.body, intent.body


def emails_sent(stack, booking_id: int) -> list[tuple[str, str]]:
    return stack.postgres.query(
        "SELECT key, status FROM notifications_emailnotification WHERE booking_id = %s "
        "ORDER BY key",
        [booking_id],
    )


def mail_files_for(stack, key: str) -> list[Path]:
    header = f"X-FitConnect-Notification: {key}".encode()
    return [p for p in (stack.folder / "mail").glob("*.eml") if header in p.read_bytes()]


def test_parallel_bookings_of_one_slot_across_both_instances_have_one_winner(stack):
    accounts = stack.accounts
    tokens = [login(stack.url, email, accounts["password"]) for email in accounts["clients"][:12]]
    trainer, slot = accounts["trainers"][0], start(3, 10)

    answers = parallel(
        [
            (lambda i=i: book(stack.web[i % 2].url, tokens[i], trainer, slot))
            for i in range(len(tokens))
        ]
    )

    statuses = sorted(a.status for a in answers)
    assert statuses == [201] + [409] * (len(tokens) - 1), answers
    rows = stack.postgres.query(
        "SELECT count(*) FROM bookings_booking WHERE trainer_id = %s AND start_time = %s "
        "AND status IN ('pending', 'confirmed', 'completed')",
        [trainer, slot],
    )
    assert rows == [(1,)]


def test_one_event_delivered_to_both_instances_at_once_is_applied_once(stack):
    booking, intent = paid_at_the_emulator(stack, stack.accounts["clients"][12], hour=9)
    event_id = f"evt_scale_out_{uuid.uuid4().hex}"
    body, signature = signed_event("payment_intent.succeeded", intent, WEBHOOK_SECRET, event_id)
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}

    answers = parallel(
        [
            (
                lambda i=i: call(
                    "POST",
                    f"{stack.web[i % 2].url}/api/v1/payments/webhook/",
                    data=body,
                    headers=headers,
                )
            )
            for i in range(8)
        ]
    )

    assert [a.status for a in answers] == [200] * 8, answers
    assert stack.postgres.query(
        "SELECT count(*), sum(attempts), bool_and(error = '') FROM payments_webhookevent "
        "WHERE stripe_event_id = %s",
        [event_id],
    ) == [(1, 1, True)]
    assert stack.postgres.query(
        "SELECT p.status, b.payment_status, b.status FROM payments_payment p "
        "JOIN bookings_booking b ON b.id = p.booking_id WHERE p.stripe_payment_intent_id = %s",
        [intent["id"]],
    ) == [("succeeded", "paid", "confirmed")]
    # The receipt and the trainer's notice: sent by one of the two workers, once each.
    wait_until(
        lambda: [s for _, s in emails_sent(stack, booking["id"])] == ["sent", "sent"],
        "both e-mails sent",
    )
    for key, _ in emails_sent(stack, booking["id"]):
        assert len(mail_files_for(stack, key)) == 1, key


def test_the_login_throttle_is_shared_by_both_instances(stack):
    email, password = stack.accounts["clients"][13], stack.accounts["password"]
    limit = 5  # LOGIN_FAILURE_LIMIT's default
    for i in range(limit):
        wrong = call("POST", f"{stack.web[i % 2].url}/api/v1/auth/token/",
                     {"email": email, "password": "not-the-password"})  # fmt: skip
        assert wrong.status == 401, wrong
    for web in stack.web:
        blocked = call("POST", f"{web.url}/api/v1/auth/token/",
                       {"email": email, "password": password})  # fmt: skip
        assert blocked.status == 429, blocked


def test_the_request_id_from_nginx_is_on_the_worker_lines_of_the_task_it_queued(stack):
    _booking, intent = paid_at_the_emulator(stack, stack.accounts["clients"][14], hour=11)
    body, signature = signed_event(
        "payment_intent.succeeded", intent, WEBHOOK_SECRET, f"evt_request_id_{uuid.uuid4().hex}"
    )
    answer = call("POST", f"{stack.url}/api/v1/payments/webhook/", data=body,
                  headers={"Stripe-Signature": signature})  # fmt: skip
    assert answer.status == 200, answer
    request_id = answer.headers["X-Request-ID"]

    def task_lines():
        return [
            line
            for worker in stack.workers
            for line in stack.json_logs(worker)
            if line.get("request_id") == request_id
        ]

    wait_until(
        lambda: any(line.get("event") == "task_succeeded" for line in task_lines()),
        "the worker's lines for the webhook's task",
    )
    web_lines = [line for web in stack.web for line in stack.json_logs(web)]
    assert any(
        line.get("request_id") == request_id and line.get("event") == "request_finished"
        for line in web_lines
    )


def test_nginx_spreads_requests_over_both_instances(stack):
    before = [len(stack.json_logs(web)) for web in stack.web]
    for _ in range(20):
        assert call("GET", f"{stack.url}/api/v1/trainers/").status == 200
    after = [len(stack.json_logs(web)) for web in stack.web]
    assert all(b > a for a, b in zip(before, after, strict=True)), (before, after)


def test_metrics_are_refused_through_nginx_and_served_on_the_instance(stack):
    assert call("GET", f"{stack.url}/metrics").status == 404
    direct = call("GET", f"{stack.web[0].url}/metrics")
    assert direct.status == 200
    assert "fitconnect_payments" in direct.body


def test_while_postgresql_is_down_requests_and_webhooks_answer_503_then_recover(stack):
    booking, intent = paid_at_the_emulator(stack, stack.accounts["clients"][15], hour=13)
    event_id = f"evt_db_down_{uuid.uuid4().hex}"
    body, signature = signed_event("payment_intent.succeeded", intent, WEBHOOK_SECRET, event_id)
    headers = {"Stripe-Signature": signature}
    web = stack.web[0].url

    stack.postgres.stop()
    try:
        ready = call("GET", f"{web}/readyz")
        assert ready.status == 503
        assert "database" in ready.body["failed"]
        webhook = call("POST", f"{web}/api/v1/payments/webhook/", data=body, headers=headers)
        assert webhook.status == 503, webhook  # Stripe retries a 5xx
        listing = call("GET", f"{stack.url}/api/v1/trainers/")
        assert listing.status == 503 and listing.headers.get("Retry-After") == "5"
        assert call("GET", f"{web}/healthz").status == 200
    finally:
        stack.postgres.start()

    # Stripe retries the delivery until it gets a 2xx; after the restart one does.
    wait_until(
        lambda: (
            call("POST", f"{web}/api/v1/payments/webhook/", data=body, headers=headers).status
            == 200
        ),
        "the retried delivery to succeed",
    )
    assert call("GET", f"{web}/readyz").status == 200
    assert stack.postgres.query(
        "SELECT b.payment_status FROM bookings_booking b WHERE b.id = %s", [booking["id"]]
    ) == [("paid",)]
