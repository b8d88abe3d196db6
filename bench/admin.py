"""Admin payment list benchmark: the changelist's time and its slowest statement at 1M payments.

    BENCH_DATABASE_URL=postgres://.../db_with_payments python -m bench admin

Uses the database as it is: by default the one `python -m bench analytics` leaves seeded with
1M payments (make bench runs that first), or any seeded with `manage.py seed_analytics
--payments N`. Signs in as a new superuser and times 10 warm loads (after 2 warm-ups) of each
page: the list, the list filtered by status, and its fifth page. Prints p50 and the slowest SQL
statement of one load.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

from bench.databases import configure_django, database_url


def main() -> None:
    url, _name, _admin_url = database_url()
    configure_django(
        url,
        quiet=False,
        DATABASE_POOL="false",  # one connection; and a missing database says so at once
        LOG_LEVEL="WARNING",  # not a line per request
        # DEBUG=false serves static files from the manifest collectstatic writes.
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-admin-static-"),
    )
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from payments.models import Payment

    try:
        Payment.objects.exists()
    except DatabaseError as e:
        sys.exit(
            f"No payments to list in {url} ({str(e).strip().splitlines()[0]}): run "
            "`python -m bench analytics` first (it leaves that database with 1M payments), or "
            "set BENCH_DATABASE_URL to a database seeded with `manage.py seed_analytics`."
        )
    call_command("collectstatic", interactive=False, verbosity=0)

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
    shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)
