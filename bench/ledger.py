"""Ledger benchmark: what posting to the ledger adds per webhook delivery and per create-intent.

    python -m bench ledger        (make bench runs it with the others)

Both run in this one process through Django's test client, in batches that alternate three
sides, each timed call by call (p50 reported):
- `on`: the app as it is, every money movement posted to the ledger in its transaction;
- `off`: the same code with posting switched off (payments.apply.movements' call to
  ledger.postings.ledger_post_payment replaced by a no-op), i.e. the code before it posted;
- the floor, measured in the same run: for a delivery, /bench/bare-webhook/ (the signature check
  every delivery costs, bench/payments_urls.py); for create-intent, the bare SDK call to the
  emulator with the same parameters.
Deliveries are signed payment_intent.succeeded events of payments paid at localstripe (fresh ones
per batch: a delivery applies once), whose card is already on the row, so the handler asks
Stripe nothing: it applies the event's copy of the intent, records the receipt emails and posts
the charge (on); the emails are sent after commit by the embedded (eager) task, in every side.
A create-intent moves no money, so it posts nothing: its `on` and `off` differ only by noise.

Its own PostgreSQL database (BENCH_DATABASE_URL's server, name suffixed `_payments`, as
bench/payments.py, which it never runs at the same time) and the Stripe emulator on a free
port. Results: var/bench/ledger.json and a Markdown table on stdout.
"""

from __future__ import annotations

import itertools
import json
import time

from bench.payments import (
    ROOT,
    StripeEmulator,
    _bookings,
    _ms,
    _p50,
    _paid_at_stripe,
    _sdk,
    _sign,
    _token,
    run_against_emulator,
)

RESULTS = ROOT / "var" / "bench" / "ledger.json"
ROUNDS, BATCH, WARMUP = 6, 30, 5
SIDES = ("floor", "off", "on")


def _posting(on: bool) -> None:
    from ledger import postings
    from payments.apply import movements

    movements.ledger_post_payment = postings.ledger_post_payment if on else lambda payment: []


def _timed(fn, items) -> list[float]:
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t0)
    return times


def _rounds(name: str, prepare, call) -> dict:
    """ROUNDS rounds of BATCH calls per side, the order of the sides rotating; p50s, ratios."""
    all_times: dict[str, list[float]] = {s: [] for s in SIDES}
    rounds = []
    for i in range(ROUNDS):
        order = SIDES[i % 3 :] + SIDES[: i % 3]
        result: dict = {"round": i + 1, "order": list(order)}
        for side in order:
            items = prepare(side)
            _posting(side == "on")
            times = _timed(lambda item, side=side: call(side, item), items)
            _posting(True)
            all_times[side] += times
            result[f"{side}_p50_ms"] = _ms(_p50(times))
        rounds.append(result)
        print(json.dumps({"bench": name, **result}), flush=True)
    p50 = {s: _p50(all_times[s]) for s in SIDES}
    return {
        "rounds": rounds,
        "calls_per_side": len(all_times["on"]),
        **{f"{s}_p50_ms": _ms(p50[s]) for s in SIDES},
        "off_vs_floor": round(p50["off"] / p50["floor"], 2),
        "on_vs_floor": round(p50["on"] / p50["floor"], 2),
        "on_vs_off": round(p50["on"] / p50["off"], 3),
        "added_ms": _ms(p50["on"] - p50["off"]),
    }


def bench_deliveries(report: dict, ls: StripeEmulator) -> None:
    from django.test import Client

    from core.tests.factories import ClientFactory, TrainerProfileFactory
    from ledger.models import Transaction
    from payments.models import Payment

    payer, trainer = ClientFactory(email="bench-ledger-payer@example.com"), TrainerProfileFactory()
    http = Client()
    batches: dict[str, tuple[list, list]] = {}

    def prepare(side: str) -> list[bytes]:
        ls.reset()
        payments, bodies = _paid_at_stripe(BATCH, payer, trainer)
        # The card already known (as when the checkout's answer brought it): the delivery asks
        # Stripe nothing after commit, so what is timed is the request and its transaction.
        Payment.objects.filter(pk__in=[p.pk for p in payments]).update(
            stripe_charge_id="ch_bench", card_brand="visa", card_last4="4242"
        )
        batches[side] = (payments, bodies)
        return bodies

    def call(side: str, body: bytes) -> None:
        path = "/bench/bare-webhook/" if side == "floor" else "/api/v1/payments/webhook/"
        response = http.post(
            path, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sign(body)
        )
        assert response.status_code == 200, response.content[:300]

    prepare("warmup")
    for body in batches["warmup"][1][:WARMUP]:
        call("on", body)
    report["deliveries"] = _rounds("deliveries", prepare, call)
    # Every delivery of the app applied; the charges posted exactly by the `on` side.
    for side in ("off", "on"):
        payments, _bodies = batches[side]
        ids = [p.pk for p in payments]
        assert Payment.objects.filter(pk__in=ids, status="succeeded").count() == len(ids)
        posted = Transaction.objects.filter(payment_id__in=ids, kind="charge").count()
        assert posted == (len(ids) if side == "on" else 0), (side, posted)


def bench_create_intent(report: dict, ls: StripeEmulator) -> None:
    from django.test import Client

    from core.tests.factories import ClientFactory, TrainerProfileFactory

    payer, trainer = ClientFactory(email="bench-ledger-intent@example.com"), TrainerProfileFactory()
    auth = _token(payer)
    http = Client()
    sdk = _sdk()
    sdk_ids = itertools.count(1)

    def prepare(side: str) -> list:
        ls.reset()
        return _bookings(BATCH, payer, trainer)

    def call(side: str, booking) -> None:
        if side == "floor":
            n = next(sdk_ids)
            sdk.v1.payment_intents.create(
                {
                    "amount": booking.price,
                    "currency": booking.currency,
                    "payment_method_types": ["card"],
                    "metadata": {"booking_id": str(booking.pk), "payment_id": str(n)},
                },
                {"idempotency_key": f"bench-ledger:{n}:intent"},
            )
            return
        response = http.post(
            "/api/v1/payments/create-payment-intent/",
            {"booking_id": booking.pk},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
        assert response.status_code == 200, response.content[:300]

    for booking in prepare("warmup")[:WARMUP]:
        call("on", booking)
    report["create_intent"] = _rounds("create_intent", prepare, call)


def _both(report: dict, ls: StripeEmulator, workdir: str) -> None:
    bench_deliveries(report, ls)
    bench_create_intent(report, ls)


def main() -> None:
    run_against_emulator("bench-ledger-", RESULTS, _both, _print_markdown)


def _print_markdown(report: dict) -> None:
    m = report["machine"]
    print(
        f"\nMachine: {m['nproc']} CPUs, PostgreSQL {m['postgresql']}, load "
        f"{m['load_avg_at_start']} at start; {m['date']}; whole run {report['seconds']} s\n"
    )
    print("| per call (p50) | floor | without posting | with the ledger | without / floor "
          "| with / floor | with / without | added |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = {
        "deliveries": "webhook delivery (floor: signature check only)",
        "create_intent": "create-payment-intent (floor: bare SDK call)",
    }
    for key, label in labels.items():
        r = report[key]
        print(
            f"| {label} | {r['floor_p50_ms']} ms | {r['off_p50_ms']} ms | {r['on_p50_ms']} ms | "
            f"{r['off_vs_floor']}x | {r['on_vs_floor']}x | {r['on_vs_off']}x | "
            f"{r['added_ms']} ms |"
        )
    print(f"\n{report['deliveries']['calls_per_side']} calls per side each. Raw: {RESULTS}")


if __name__ == "__main__":
    main()
