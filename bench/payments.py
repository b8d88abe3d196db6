"""Payments benchmark: our API against the bare thing, each as a ratio measured in the same run.

    python -m bench payments        (make bench runs it with the others)

(c) GET /api/v1/payments/ p50 and query count at 1k, 10k and 100k payments (seeded with
    `seed_analytics`), as an admin (sees all), a trainer and a client (few), JWT-authenticated,
    through Django's test client. Runs first, so (a) and (b) then work on a 100k-payment database.
(a) POST /api/v1/payments/create-payment-intent/ (a fresh booking per call, JWT) through Django's
    test client vs the bare SDK `payment_intents.create` with the same parameters, idempotency key
    and client settings, both against the same localstripe. Batches alternate (API first, then
    SDK first) and localstripe is wiped before each batch: its speed falls as its store grows.
(b) Webhook deliveries per second under gunicorn (4 sync workers) on PostgreSQL: real signed
    payment_intent.succeeded events for payments that exist at localstripe (created there and
    confirmed with pm_card_visa) vs /bench/bare-webhook/ (bench/payments_urls.py), which only
    checks the signature, served by the same gunicorn. The handler applies the event's copy of
    the intent without calling Stripe; after commit it queues payments.tasks.
    payment_fill_details (one Stripe retrieve for the card, then the receipt emails).
    Two app variants, each its own gunicorn: `app` queues that task to a Redis broker
    (production; BENCH_CELERY_BROKER_URL, default redis://127.0.0.1:6379/15, used only if that
    database is empty and flushed at the end; set it empty to skip; no worker consumes it here,
    so `app` measures the request path only), `app_inline` runs it in the request after commit
    (the embedded default, no broker), so its rate includes the retrieve and the emails. The
    client is this process: threads with http.client, one connection per request (sync workers
    close them). Rounds rotate the order; localstripe is wiped before each app set (its reads
    slow down as its store grows); every delivery is checked to have been stored, applied and
    to have paid its payment (app_inline: and to have its card filled). For scale, the same
    threads also time the card task's one Stripe call alone.

Everything runs on its own PostgreSQL database, dropped at the start and at the end:
BENCH_DATABASE_URL's server with the database name suffixed `_payments` (default
postgres://postgres@127.0.0.1:5432/fitconnect_bench_payments), never DATABASE_URL. The Stripe
emulator and gunicorn are started on free ports and stopped at the end; the cache is Redis
(BENCH_CACHE_URL, default redis://127.0.0.1:6379/14). Emails go to Django's locmem
backend (no SMTP server is involved). Results: var/bench/payments.json and Markdown tables on
stdout.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from bench.databases import configure_django, database_url, recreate_database
from bench.machine import machine_facts

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BROKER = "redis://127.0.0.1:6379/15"
# DEBUG=false needs a cache every process shares (the rate limits' counters).
DEFAULT_CACHE = "redis://127.0.0.1:6379/14"
RESULTS = ROOT / "var" / "bench" / "payments.json"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRET_KEY = "sk_test_bench_payments"
WEBHOOK_SECRET = "whsec_bench_payments"
CONNECT_WEBHOOK_SECRET = "whsec_bench_payments_connect"

# (c)
LIST_SIZES = (1_000, 10_000, 100_000)
LIST_RUNS, LIST_WARMUP = 20, 3
# (a): pairs of batches (one API batch, one SDK batch), calls per batch
INTENT_PAIRS, INTENT_BATCH, INTENT_WARMUP = 6, 40, 5
# (b)
WEBHOOK_ROUNDS, WEBHOOK_EVENTS = 5, 150
# The bare view is ~20x faster: it gets its round's events several times over (it stores nothing),
# so that its timing, too, spans about a second rather than a few scheduler ticks.
BARE_REPEAT = 6
GUNICORN_WORKERS, CLIENT_THREADS = 4, 8


# --- setup ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start on port {port}") from None
            time.sleep(0.1)


class _Server:
    """A child process serving on a free local port, its output in a log file."""

    def _start(self, args: list[str], *, log_path: str, name: str, **popen) -> None:
        self.port = _free_port()
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*args, *self._port_args()], stdout=self.log, stderr=subprocess.STDOUT, **popen
        )
        _wait_port(self.port, self.process, name)

    def _port_args(self) -> list[str]:
        raise NotImplementedError

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class StripeEmulator(_Server):
    """The app's Stripe emulator (manage.py stripe_emulator: localstripe behind our front, which
    takes the parameters the app sends, such as transfer_group, that bare localstripe refuses)."""

    def __init__(self, workdir: str):
        self._start(
            [sys.executable, str(ROOT / "manage.py"), "stripe_emulator"],
            log_path=os.path.join(workdir, "stripe-emulator.log"),
            name="the Stripe emulator",
            cwd=workdir,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:  # the front answers before localstripe behind it does
            try:
                with urllib.request.urlopen(self.base + "/js.stripe.com/v3/", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Stripe emulator did not start") from None
                time.sleep(0.1)

    def _port_args(self) -> list[str]:
        return ["--port", str(self.port)]

    def reset(self) -> None:
        """Wipe every object: localstripe re-pickles its whole store on each write."""
        request = urllib.request.Request(
            self.base + "/_config/data",
            method="DELETE",
            headers={"Authorization": f"Bearer {SECRET_KEY}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def _setup(db_url: str, stripe_base: str) -> None:
    configure_django(
        db_url,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_base,
        # DEBUG=false refuses a per-process cache (rate limits must be shared).
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="bench.payments_settings",
    )
    os.environ.pop("CELERY_BROKER_URL", None)


def _machine() -> dict:
    import stripe

    return {**machine_facts(), "stripe_sdk": stripe.VERSION}


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return f"Bearer {AccessToken.for_user(user)}"


# --- (c) payment list ------------------------------------------------------------------------
def bench_list(report: dict) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from core.tests.factories import AdminFactory
    from payments.models import Payment

    admin = AdminFactory(email="bench-admin@example.com")
    client = Client()
    rows = report["list"] = []
    seeded = 0
    for size in LIST_SIZES:
        started = time.monotonic()
        with open(os.devnull, "w") as quiet:
            call_command("seed_analytics", payments=size - seeded, seed=size, stdout=quiet)
        seeded = size
        print(f"-- (c) {size:,} payments seeded in {time.monotonic() - started:.1f}s", flush=True)
        # The trainer with the most payments, and a client with a typical handful.
        trainer = (
            User.objects.filter(role=User.Role.TRAINER)
            .annotate(n=Count("trainer_profile__bookings__payments"))
            .order_by("-n")
            .first()
        )
        client_user = (
            User.objects.filter(role=User.Role.CLIENT, bookings__payments__isnull=False)
            .annotate(n=Count("bookings__payments"))
            .order_by("-n")
            .first()
        )
        for label, user in (("admin", admin), ("trainer", trainer), ("client", client_user)):
            auth = _token(user)
            sees = Payment.objects.count() if label == "admin" else None

            def get(auth=auth):
                response = client.get("/api/v1/payments/", HTTP_AUTHORIZATION=auth)
                assert response.status_code == 200, response.content[:300]
                return response

            for _ in range(LIST_WARMUP):
                get()
            times = []
            for _ in range(LIST_RUNS):
                t0 = time.perf_counter()
                get()
                times.append(time.perf_counter() - t0)
            with CaptureQueriesContext(connection) as queries:
                response = get()
            sees = int(response["X-Total-Count"])
            rows.append(
                {
                    "payments": size,
                    "as": label,
                    "sees": sees,
                    "returned": len(response.json()),
                    "p50_ms": _ms(_p50(times)),
                    "max_ms": _ms(max(times)),
                    "queries": len(queries),
                }
            )
            print(json.dumps(rows[-1]), flush=True)


# --- (a) create-payment-intent vs bare SDK ---------------------------------------------------
_slot = itertools.count(1)


def _bookings(n: int, client, trainer) -> list:
    """n fresh pending bookings, each in its own hour so none ever blocks another."""
    from django.utils import timezone

    from bookings.models import Booking

    base = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    hold = timezone.now() + dt.timedelta(hours=2)
    rows = []
    for _ in range(n):
        start = base + dt.timedelta(hours=next(_slot))
        rows.append(
            Booking(
                client=client,
                trainer=trainer,
                start_time=start,
                end_time=start + dt.timedelta(hours=1),
                duration_minutes=60,
                price=trainer.hourly_rate,
                currency=trainer.currency,
                hold_expires_at=hold,
            )
        )
    return Booking.objects.bulk_create(rows)


def _sdk():
    """The SDK client exactly as payments.stripe_client builds it from these settings. The
    benchmark imports `stripe` itself on purpose: the bare SDK call is what it measures against."""
    import stripe
    from django.conf import settings

    from payments import stripe_client

    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=stripe_client.STRIPE_API_VERSION,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def bench_intents(report: dict, ls: StripeEmulator) -> None:
    from django.test import Client

    from core.tests.factories import ClientFactory, TrainerProfileFactory

    user = ClientFactory(email="bench-payer@example.com")
    trainer = TrainerProfileFactory()
    auth = _token(user)
    http = Client()
    sdk = _sdk()
    sdk_ids = itertools.count(1)

    def api_call(booking) -> None:
        response = http.post(
            "/api/v1/payments/create-payment-intent/",
            {"booking_id": booking.pk},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
        assert response.status_code == 200, response.content[:300]

    def sdk_call(booking) -> None:
        # Same parameters as stripe_client.create_payment_intent sends to the emulator.
        n = next(sdk_ids)
        intent = sdk.v1.payment_intents.create(
            {
                "amount": booking.price,
                "currency": booking.currency,
                "payment_method_types": ["card"],
                "metadata": {"booking_id": str(booking.pk), "payment_id": str(n)},
            },
            {"idempotency_key": f"bench:{n}:intent"},
        )
        assert intent.client_secret

    def batch(fn, bookings) -> list[float]:
        ls.reset()
        times = []
        for booking in bookings:
            t0 = time.perf_counter()
            fn(booking)
            times.append(time.perf_counter() - t0)
        return times

    batch(api_call, _bookings(INTENT_WARMUP, user, trainer))
    batch(sdk_call, _bookings(INTENT_WARMUP, user, trainer))
    pairs = []
    all_api, all_sdk = [], []
    for i in range(INTENT_PAIRS):
        bookings = _bookings(INTENT_BATCH, user, trainer)
        order = [("api", api_call), ("sdk", sdk_call)]
        if i % 2:
            order.reverse()
        # The SDK side reads only price and ids from the same bookings.
        got = {name: batch(fn, bookings) for name, fn in order}
        all_api += got["api"]
        all_sdk += got["sdk"]
        pair = {
            "pair": i + 1,
            "first": order[0][0],
            "api_p50_ms": _ms(_p50(got["api"])),
            "sdk_p50_ms": _ms(_p50(got["sdk"])),
        }
        pair["ratio"] = round(pair["api_p50_ms"] / pair["sdk_p50_ms"], 2)
        pairs.append(pair)
        print(json.dumps(pair), flush=True)
    ls.reset()
    report["intents"] = {
        "pairs": pairs,
        "calls_per_side": len(all_api),
        "api_p50_ms": _ms(_p50(all_api)),
        "sdk_p50_ms": _ms(_p50(all_sdk)),
        "ratio_of_p50s": round(_p50(all_api) / _p50(all_sdk), 2),
        "median_pair_ratio": round(_p50([p["ratio"] for p in pairs]), 2),
    }
    print(json.dumps({k: v for k, v in report["intents"].items() if k != "pairs"}), flush=True)


# --- (b) webhook throughput ------------------------------------------------------------------
class Gunicorn(_Server):
    def __init__(self, workdir: str, label: str, env: dict[str, str]):
        self.log_path = os.path.join(workdir, f"gunicorn-{label}.log")
        self._start(
            [
                str(GUNICORN),
                "config.wsgi:application",
                *("--workers", str(GUNICORN_WORKERS), "--worker-class", "sync"),
                *("--timeout", "60"),
            ],
            log_path=self.log_path,
            name="gunicorn",
            cwd=ROOT,
            env=dict(os.environ, LOG_LEVEL="INFO", **env),
        )

    def _port_args(self) -> list[str]:
        return ["--bind", f"127.0.0.1:{self.port}"]


def _broker() -> str:
    """A Redis database of our own for the email tasks the handler queues, or "" (none
    reachable, or BENCH_CELERY_BROKER_URL set empty): then only the in-process variant runs.
    Used only if empty, and flushed at the end, so nobody else's keys are touched."""
    url = os.environ.get("BENCH_CELERY_BROKER_URL", DEFAULT_BROKER)
    if not url:
        return ""
    try:
        import redis

        if redis.Redis.from_url(url, socket_timeout=2).dbsize():
            print(f"{url} is not empty: the broker variant is skipped", flush=True)
            return ""
    except Exception as e:
        print(f"no Redis at {url} ({e}): the broker variant is skipped", flush=True)
        return ""
    return url


def _flush_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=2).flushdb()


def _sign(body: bytes) -> str:
    import hashlib
    import hmac

    t = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _blast(port: int, path: str, deliveries: list[tuple[bytes, str]]) -> tuple[float, Counter]:
    """POST every (body, signature) from CLIENT_THREADS threads; (seconds, status counts)."""
    jobs = iter(deliveries)
    lock = threading.Lock()
    statuses: Counter = Counter()

    def worker() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            body, signature = job
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request(
                    "POST",
                    path,
                    body,
                    {"Content-Type": "application/json", "Stripe-Signature": signature},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as e:
                status = type(e).__name__
            finally:
                conn.close()
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, statuses


def _stripe_retrieves(intent_ids: list[str]) -> float:
    """Seconds for CLIENT_THREADS threads to do the handler's one Stripe call for every intent."""
    from payments import stripe_client

    jobs = iter(intent_ids)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                intent_id = next(jobs, None)
            if intent_id is None:
                return
            stripe_client.retrieve_payment_intent(intent_id)

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def _paid_at_stripe(n: int, client, trainer) -> tuple[list, list]:
    """n pending Payment rows whose intents exist and succeeded at localstripe (paid with
    pm_card_visa, as a browser would), and the signed payment_intent.succeeded deliveries."""
    from bookings.models import Booking
    from payments.models import Payment

    bookings = _bookings(n, client, trainer)
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        payment_status=Booking.PaymentStatus.PENDING
    )
    payments = [
        Payment(booking=b, trainer_id=b.trainer_id, amount=b.price, currency=b.currency)
        for b in bookings
    ]
    for p in payments:
        p.calculate_fees()  # bulk_create skips save(), which computes them (and the trainer)
    payments = Payment.objects.bulk_create(payments)
    sdk = _sdk()
    deliveries = []
    for p in payments:
        intent = sdk.v1.payment_intents.create(
            {
                "amount": p.amount,
                "currency": p.currency,
                "payment_method_types": ["card"],
                "payment_method": "pm_card_visa",
                "confirm": True,
                "metadata": {"booking_id": str(p.booking_id), "payment_id": str(p.pk)},
            }
        )
        assert intent.status == "succeeded", intent.status
        p.stripe_payment_intent_id = intent.id
        p.stripe_client_secret = intent.client_secret or ""
        event = {
            "id": f"evt_bench_{p.pk}_{intent.id}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": "payment_intent.succeeded",
            "data": {"object": intent.to_dict()},
        }
        deliveries.append(json.dumps(event).encode())
    Payment.objects.bulk_update(payments, ["stripe_payment_intent_id", "stripe_client_secret"])
    return payments, deliveries


def _check_applied(name: str, payments: list, bodies: list[bytes], server: Gunicorn) -> None:
    """Every delivery must have been stored, applied without error, and paid its payment; in
    app_inline (tasks run in the request) the card task must have filled its card too."""
    from payments.models import Payment, WebhookEvent

    paid = Payment.objects.filter(pk__in=[p.pk for p in payments], status=Payment.Status.SUCCEEDED)
    if name == "app_inline":
        paid = paid.exclude(card_last4="")
    applied = paid.count()
    processed = WebhookEvent.objects.filter(
        stripe_event_id__in=[json.loads(b)["id"] for b in bodies],
        processed_at__isnull=False,
        error="",
    ).count()
    if applied != len(payments) or processed != len(payments):
        raise RuntimeError(
            f"{name}: {applied} payments succeeded, {processed} events processed of "
            f"{len(payments)}; see {server.log_path}"
        )


def bench_webhooks(report: dict, ls: StripeEmulator, workdir: str) -> None:
    from django.db import connection

    from core.tests.factories import ClientFactory, TrainerProfileFactory

    client = ClientFactory(email="bench-webhook-payer@example.com")
    trainer = TrainerProfileFactory()
    connection.close()  # the servers' workers get their own connections
    broker = _broker()
    servers = {}
    rounds = []
    try:
        # app: production-like, the handler's email tasks go to a broker; app_inline: the
        # embedded default without one, where they run in the request after commit.
        if broker:
            servers["app"] = Gunicorn(workdir, "app", {"CELERY_BROKER_URL": broker})
        servers["app_inline"] = Gunicorn(
            workdir, "inline", {"CELERY_BROKER_URL": "", "CELERY_TASK_ALWAYS_EAGER": "true"}
        )
        bare_server = next(iter(servers.values()))
        targets = {"bare": (bare_server, "/bench/bare-webhook/")}
        targets.update({k: (v, "/api/v1/payments/webhook/") for k, v in servers.items()})
        # Warm every worker up (imports, first connections).
        for server, path in targets.values():
            ls.reset()
            _payments, last_bodies = _paid_at_stripe(2 * GUNICORN_WORKERS, client, trainer)
            _blast(server.port, path, [(b, _sign(b)) for b in last_bodies])
        last_bodies *= WEBHOOK_EVENTS // len(last_bodies)
        for i in range(WEBHOOK_ROUNDS):
            result: dict = {"round": i + 1}
            names = list(targets)
            names = names[i % len(names) :] + names[: i % len(names)]
            result["order"] = names
            for name in names:
                server, path = targets[name]
                if name == "bare":
                    # It stores nothing: the latest app set's events, several times over.
                    bodies = last_bodies * BARE_REPEAT
                else:
                    # Each app set on a freshly wiped emulator: its reads slow down as its
                    # store grows too, and app_inline's card task calls it once per delivery.
                    ls.reset()
                    started = time.monotonic()
                    payments, bodies = _paid_at_stripe(WEBHOOK_EVENTS, client, trainer)
                    result[f"{name}_prepare_s"] = round(time.monotonic() - started, 1)
                    last_bodies = bodies
                # Signed just before sending: Stripe's tolerance is 300 s.
                seconds, statuses = _blast(server.port, path, [(b, _sign(b)) for b in bodies])
                result[f"{name}_per_s"] = round(len(bodies) / seconds, 1)
                result[f"{name}_statuses"] = {str(k): v for k, v in statuses.items()}
                if name == "bare":
                    continue
                _check_applied(name, payments, bodies, server)
                if "stripe_retrieve_per_s" not in result:
                    # The card task's one Stripe call alone, same threads, same store size.
                    ids = [p.stripe_payment_intent_id for p in payments]
                    result["stripe_retrieve_per_s"] = round(len(ids) / _stripe_retrieves(ids), 1)
            for name in servers:
                result[f"{name}_ratio"] = round(result[f"{name}_per_s"] / result["bare_per_s"], 3)
            connection.close()
            rounds.append(result)
            print(json.dumps(result), flush=True)
    finally:
        for server in servers.values():
            server.stop()
        connection.close()
        if broker:
            _flush_broker(broker)
    ls.reset()
    summary: dict = {
        "rounds": rounds,
        "events_per_round": WEBHOOK_EVENTS,
        "workers": GUNICORN_WORKERS,
        "client_threads": CLIENT_THREADS,
        "variants": list(servers),
    }
    for name in ["bare", *servers]:
        summary[f"{name}_per_s_p50"] = _p50([r[f"{name}_per_s"] for r in rounds])
    for name in servers:
        summary[f"{name}_ratio_p50"] = _p50([r[f"{name}_ratio"] for r in rounds])
    summary["stripe_retrieve_per_s_p50"] = _p50([r["stripe_retrieve_per_s"] for r in rounds])
    report["webhooks"] = summary
    print(json.dumps({k: v for k, v in summary.items() if k != "rounds"}), flush=True)


# --- main ----------------------------------------------------------------------------------
def run_against_emulator(prefix: str, results: Path, benches, print_markdown) -> None:
    """A fresh PostgreSQL database and emulator for `benches(report, ls, workdir)`; the report is
    saved to `results` and printed, the database dropped (the logs kept if it failed)."""
    db_url, name, admin_url = database_url("_payments")
    recreate_database(admin_url, name, create=True)
    workdir = tempfile.mkdtemp(prefix=prefix)
    ls = StripeEmulator(workdir)
    started = time.monotonic()
    try:
        _setup(db_url, ls.base)
        from django.core.management import call_command
        from django.db import connection

        print(f"database {name}: migrating; the Stripe emulator on {ls.base}", flush=True)
        call_command("migrate", verbosity=0)
        report: dict = {"machine": _machine()}
        benches(report, ls, workdir)
        report["seconds"] = round(time.monotonic() - started)
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(report, indent=2))
        print_markdown(report)
        connection.close()
    except BaseException:
        print(f"Logs kept in {workdir}", flush=True)
        raise
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        ls.stop()
        recreate_database(admin_url, name, create=False)


def _all(report: dict, ls: StripeEmulator, workdir: str) -> None:
    bench_list(report)
    bench_intents(report, ls)
    bench_webhooks(report, ls, workdir)


def main() -> None:
    run_against_emulator("bench-payments-", RESULTS, _all, _print_markdown)


def _print_markdown(report: dict) -> None:
    m = report["machine"]
    print(
        f"\nMachine: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, stripe {m['stripe_sdk']}, load {m['load_avg_at_start']} at "
        f"start; {m['date']}; whole run {report['seconds']} s\n"
    )
    a = report["intents"]
    print(
        f"(a) create-payment-intent, {a['calls_per_side']} calls per side in "
        f"{len(a['pairs'])} alternating batch pairs (localstripe wiped before each batch):\n"
    )
    print("| pair | first | API p50 | bare SDK p50 | ratio |")
    print("|---:|---|---:|---:|---:|")
    for p in a["pairs"]:
        print(
            f"| {p['pair']} | {p['first']} | {p['api_p50_ms']} ms | {p['sdk_p50_ms']} ms | "
            f"{p['ratio']} |"
        )
    print(
        f"| all | | {a['api_p50_ms']} ms | {a['sdk_p50_ms']} ms | {a['ratio_of_p50s']} "
        f"(median of pairs {a['median_pair_ratio']}) |\n"
    )
    w = report["webhooks"]
    apps = w["variants"]
    print(
        f"(b) webhook deliveries/s, {w['events_per_round']} per endpoint per round, gunicorn "
        f"{w['workers']} sync workers, {w['client_threads']} client threads:\n"
    )
    print(
        "| round | bare /s | "
        + " | ".join(f"{a} /s | {a} ratio" for a in apps)
        + " | localstripe retrieves /s |"
    )
    print("|---:|---:|" + "---:|---:|" * len(apps) + "---:|")
    for r in w["rounds"]:
        cells = " | ".join(f"{r[f'{a}_per_s']} | {r[f'{a}_ratio']}" for a in apps)
        print(f"| {r['round']} | {r['bare_per_s']} | {cells} | {r['stripe_retrieve_per_s']} |")
    cells = " | ".join(f"{w[f'{a}_per_s_p50']} | {w[f'{a}_ratio_p50']}" for a in apps)
    print(f"| median | {w['bare_per_s_p50']} | {cells} | {w['stripe_retrieve_per_s_p50']} |\n")
    print(f"(c) GET /api/v1/payments/ (page of 50), p50 of {LIST_RUNS} runs:\n")
    print("| payments | as | sees | p50 | max | queries |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in report["list"]:
        print(
            f"| {r['payments']:,} | {r['as']} | {r['sees']:,} | {r['p50_ms']} ms | "
            f"{r['max_ms']} ms | {r['queries']} |"
        )
    print(f"\nRaw results: {RESULTS}")


if __name__ == "__main__":
    main()
