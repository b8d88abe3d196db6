"""Analytics benchmark: the summary endpoint vs one hand-written SQL query, at 100k and 1M payments.

    python -m bench analytics        (make bench)

Uses its own PostgreSQL database, dropped and re-created on every run: BENCH_DATABASE_URL, by
default postgres://postgres@127.0.0.1:5432/fitconnect_bench (never DATABASE_URL, which may be
your development database). Migrates (so it measures the indexes the migrations ship), seeds with
`seed_analytics`, then for each period times 20 warm requests to GET /api/v1/analytics/summary/
through Django's test client (an admin's session, DEBUG off) alternating with 20 runs of
HAND_SQL, which computes the same figures in one statement, checks that both give the same
numbers, and prints p50s, their ratio and a Markdown table.
"""

import datetime as dt
import json
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from bench.databases import configure_django, database_url, recreate_database
from bench.machine import machine_facts

SIZES = (100_000, 1_000_000)
RUNS, WARMUP = 20, 3
RESULTS = Path(__file__).resolve().parent.parent / "var" / "bench" / "analytics.json"

# The summary's numbers in one statement: per-day figures (the chart, and summed per currency for
# the cards), succeeded refunds, and the top 10 trainers per currency by gross with their names.
HAND_SQL = """
WITH days AS (
    SELECT currency, date_trunc('day', created_at AT TIME ZONE 'UTC') AS day,
        count(*) AS payments,
        count(*) FILTER (WHERE status = ANY(%(collected)s)) AS collected,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        count(*) FILTER (WHERE status = 'canceled') AS canceled,
        coalesce(sum(amount) FILTER (WHERE status = ANY(%(collected)s)), 0) AS gross,
        coalesce(sum(net_platform_fee) FILTER (WHERE status = ANY(%(collected)s)), 0) AS fees,
        coalesce(sum(net_trainer_payout) FILTER (WHERE status = ANY(%(collected)s)
                 AND NOT (status = 'disputed' AND dispute_status = 'lost')), 0) AS payouts,
        coalesce(sum(net_trainer_payout)
                 FILTER (WHERE status = 'disputed' AND dispute_status = 'lost'), 0)
            AS disputes_recovered_amount,
        count(*) FILTER (WHERE status = ANY(%(collected)s)
                         AND (status = 'disputed' OR dispute_id <> '')) AS disputes,
        coalesce(sum(amount - refund_amount) FILTER (WHERE status = ANY(%(collected)s)
                         AND (status = 'disputed' OR dispute_id <> '')), 0) AS disputed_amount,
        coalesce(sum(amount - refund_amount - net_trainer_payout)
                 FILTER (WHERE status = 'disputed' AND dispute_status = 'lost'), 0)
            AS disputes_lost_amount
    FROM payments_payment
    WHERE created_at >= %(start)s AND created_at < %(end)s
    GROUP BY 1, 2
), refunds AS (
    SELECT r.currency, count(*) AS refund_count, sum(r.amount) AS refund_amount,
        count(*) FILTER (WHERE r.source = 'dashboard') AS dashboard_refund_count
    FROM payments_refund r JOIN payments_payment p ON p.id = r.payment_id
    WHERE r.status = 'succeeded' AND p.created_at >= %(start)s AND p.created_at < %(end)s
    GROUP BY 1
), trainers AS (
    SELECT p.currency, p.trainer_id, count(*) AS count, sum(p.amount) AS gross,
        sum(p.net_platform_fee) AS fees,
        coalesce(sum(p.net_trainer_payout)
                 FILTER (WHERE NOT (p.status = 'disputed' AND p.dispute_status = 'lost')), 0)
            AS net,
        sum(p.refund_amount) AS refunded,
        row_number() OVER (PARTITION BY p.currency ORDER BY sum(p.amount) DESC, p.trainer_id)
            AS rank
    FROM payments_payment p
    WHERE p.created_at >= %(start)s AND p.created_at < %(end)s AND p.status = ANY(%(collected)s)
    GROUP BY 1, 2
)
SELECT 'day', to_jsonb(d) FROM days d
UNION ALL
SELECT 'total', jsonb_build_object('currency', currency, 'payments', sum(payments),
    'collected', sum(collected), 'failed', sum(failed), 'gross', sum(gross), 'fees', sum(fees),
    'payouts', sum(payouts), 'disputes', sum(disputes),
    'disputes_lost_amount', sum(disputes_lost_amount),
    'disputes_recovered_amount', sum(disputes_recovered_amount))
FROM days GROUP BY currency
UNION ALL
SELECT 'refunds', to_jsonb(r) FROM refunds r
UNION ALL
SELECT 'trainer', to_jsonb(t) || jsonb_build_object('email', u.email)
FROM trainers t JOIN trainers_trainerprofile tp ON tp.id = t.trainer_id
    JOIN accounts_user u ON u.id = tp.user_id
WHERE t.rank <= 10
"""


def _setup() -> str:
    url, name, admin_url = database_url()
    recreate_database(admin_url, name, create=True)
    configure_django(url, quiet=False)
    return name


def _p50s(endpoint, hand) -> tuple[float, float, object, object]:
    """p50 of each, run alternately: on a shared machine a burst of load from elsewhere then
    slows both sides of the ratio alike instead of whichever happened to be running."""
    for _ in range(WARMUP):
        endpoint(), hand()
    times: dict = {endpoint: [], hand: []}
    results: dict = {}
    for _ in range(RUNS):
        for fn in (endpoint, hand):
            started = time.perf_counter()
            results[fn] = fn()
            times[fn].append(time.perf_counter() - started)
    p50 = {fn: statistics.median(spent) for fn, spent in times.items()}
    return p50[endpoint], p50[hand], results[endpoint], results[hand]


def _check_same_numbers(api: dict, rows: list) -> None:
    """The endpoint and HAND_SQL must agree, or the comparison would mean nothing."""
    from core.money import format_amount

    totals = {r["currency"]: r for kind, r in rows if kind == "total"}
    refunds = {r["currency"]: r for kind, r in rows if kind == "refunds"}
    assert set(totals) == set(api["currencies"]), (totals.keys(), api["currencies"].keys())
    for currency, figures in api["currencies"].items():
        t, r = totals[currency], refunds.get(currency, {})
        assert figures["payments"] == t["payments"]
        assert figures["succeeded"] == t["collected"]
        assert figures["gross_revenue"] == format_amount(t["gross"], currency)
        assert figures["platform_fees"] == format_amount(t["fees"], currency)
        assert figures["trainer_payouts"] == format_amount(t["payouts"], currency)
        for key in ("disputes_lost_amount", "disputes_recovered_amount"):
            assert figures[key] == format_amount(t[key], currency)
        assert figures["refund_count"] == r.get("refund_count", 0)
        assert figures["refunded"] == format_amount(r.get("refund_amount", 0), currency)
        top = sorted(
            (x for kind, x in rows if kind == "trainer" and x["currency"] == currency),
            key=lambda x: x["rank"],
        )
        assert [x["trainer_id"] for x in top] == [
            x["trainer_id"] for x in api["trainers"].get(currency, [])
        ]


def _measure(periods: dict, admin) -> list[dict]:
    from django.db import connection
    from django.test import Client

    from payments.models import Payment

    client = Client()
    client.force_login(admin)
    results = []
    for label, (start, end) in periods.items():
        params = {"from": start.isoformat(), "to": end.isoformat(), "bucket": "day"}

        def endpoint(params=params):
            response = client.get("/api/v1/analytics/summary/", params)
            assert response.status_code == 200, response.content[:300]
            return json.loads(response.content)

        sql_params = {
            "start": f"{start.isoformat()} 00:00:00+00",
            "end": f"{(end + dt.timedelta(days=1)).isoformat()} 00:00:00+00",
            "collected": list(Payment.COLLECTED_STATUSES),
        }

        def hand(sql_params=sql_params):
            with connection.cursor() as cursor:
                cursor.execute(HAND_SQL, sql_params)
                # Django hands jsonb back as text (its JSONField decodes it): decode here too.
                return [(kind, json.loads(row)) for kind, row in cursor.fetchall()]

        api_p50, sql_p50, api_body, sql_rows = _p50s(endpoint, hand)
        _check_same_numbers(api_body, sql_rows)
        in_range = sum(figures["payments"] for figures in api_body["currencies"].values())
        results.append(
            {
                "period": label,
                "payments_in_period": in_range,
                "endpoint_p50_ms": round(api_p50 * 1000, 1),
                "sql_p50_ms": round(sql_p50 * 1000, 1),
                "ratio": round(api_p50 / sql_p50, 2),
            }
        )
        print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    name = _setup()
    from django.core.management import call_command
    from django.utils import timezone

    from core.tests.factories import AdminFactory

    print(f"database {name}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    admin = AdminFactory(email="bench-admin@example.com")
    report = {"machine": machine_facts(), "sizes": []}
    seeded = 0
    for size in SIZES:
        started = time.monotonic()
        call_command("seed_analytics", payments=size - seeded, seed=size)
        seed_seconds = round(time.monotonic() - started, 1)
        seeded = size
        today = timezone.now().date()
        periods = {
            "last 30 days (dashboard default)": (today - dt.timedelta(days=29), today),
            "last 365 days": (today - dt.timedelta(days=364), today),
        }
        print(f"-- {size:,} payments (seeded in {seed_seconds}s)", flush=True)
        results = _measure(periods, admin)
        # PostgreSQL's JIT compiles these statements' expressions on every call (their cost is
        # above jit_above_cost): ~100 ms at 1M payments. Measured again without it, as a server
        # setting (jit = off) would give: both sides of the ratio run the same way.
        print("-- the same with jit = off", flush=True)
        with _jit_off(name):
            results_jit_off = _measure(periods, admin)
        report["sizes"].append(
            {
                "payments": size,
                "seed_seconds": seed_seconds,
                "results": results,
                "results_jit_off": results_jit_off,
            }
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    _print_markdown(report)


@contextmanager
def _jit_off(name: str):
    """jit = off for new connections to the bench database (only), then back to the default."""
    from django.db import connection

    def alter(setting: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" {setting}')
        connection.close()  # the next query opens a connection with the new default

    alter("SET jit = off")
    try:
        yield
    finally:
        alter("RESET jit")


def _print_markdown(report: dict) -> None:
    m = report["machine"]
    print(
        f"\nMachine: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']} "
        f"(work_mem {m['work_mem']}), Python {m['python']}, load {m['load_avg_at_start']:.1f} "
        f"at start; {m['date']}\n"
    )
    for key, title in (("results", "PostgreSQL defaults"), ("results_jit_off", "jit = off")):
        print(f"\n{title}:\n")
        print("| payments | period | in period | endpoint p50 | one SQL query p50 | ratio |")
        print("|---:|---|---:|---:|---:|---:|")
        for size in report["sizes"]:
            for r in size[key]:
                print(
                    f"| {size['payments']:,} | {r['period']} | {r['payments_in_period']:,} | "
                    f"{r['endpoint_p50_ms']} ms | {r['sql_p50_ms']} ms | {r['ratio']} |"
                )
    print(f"\nRaw results: {RESULTS}")


if __name__ == "__main__":
    main()
