"""Admin payment list benchmark: the changelist's time and its slowest statement at 1M payments.

    BENCH_DATABASE_URL=postgres://.../db_with_payments python -m bench admin

Uses the database as it is (seed it first: `manage.py seed_analytics --payments 1000000`), signs
in as a new superuser and times 10 warm loads (after 2 warm-ups) of each page: the list, the
list filtered by status, and its fifth page. Prints p50 and the slowest SQL
statement of one load.
"""

import os
import statistics
import time


def main() -> None:
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from payments.models import Payment

    admin = User.objects.filter(email="bench-admin@example.com").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-admin@example.com", "bench-admin-pass-1")
    browser = Client()
    browser.force_login(admin)
    total = Payment.objects.count()
    print(f"{total:,} payments")
    pages = {
        "list": "/admin/payments/payment/",
        "status=succeeded": "/admin/payments/payment/?status__exact=succeeded",
        "page 5": "/admin/payments/payment/?p=5",
    }
    for name, url in pages.items():
        for _ in range(2):
            assert browser.get(url).status_code == 200
        times = []
        for _ in range(10):
            start = time.perf_counter()
            browser.get(url)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            browser.get(url)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        print(
            f"{name}: p50 {statistics.median(times):.1f} ms, {len(queries)} queries, slowest "
            f"{float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:160]}"
        )
