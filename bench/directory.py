"""Trainer directory benchmark: the page's render time as trainers and their bookings grow, each
as a ratio to the same page showing no card, measured in the same run.

    python -m bench directory        (make bench runs it with the others)

GET /trainers/ through Django's test client as a visitor whose browser sent its zone (the `tz`
cookie), DEBUG off, REQUIRE_PAYOUT_ACCOUNT on, on PostgreSQL. Timed pages:

- `page 1`: the default directory (PAGE_SIZE cards, each with its next free time);
- `soonest`: sorted by the soonest free time, which needs every matching trainer's;
- the floor: the same view with a filter that matches nobody (?specialty=yoga): the request,
  session, form, count query and template, without a card. Floor and page alternate run by
  run, so load from other jobs on this shared machine slows both sides of a ratio alike.

Trainers: weekly windows on their own clock (weekdays 07:00-12:00 and 14:00-20:00, Saturdays
09:00-13:00) in New York, Tokyo, London and UTC in turn, payouts enabled; one in ten has no
payout account and is not listed. Bookings per trainer fill their earliest free hours from now
on (one in five a pending hold that has not expired), so the next free time lies after all of
them; at 200 a trainer has no free hour in the directory's two weeks.

Two series: (a) 1, 24, 100 and 1,000 trainers with 10 bookings each (BENCH_DIRECTORY_SIZES=
"1,24,100" shortens it); (b) 24 trainers with 0, 10, 50 and 200 bookings each.

Runs on its own PostgreSQL database, dropped at the start and at the end: BENCH_DATABASE_URL's
server with the name suffixed `_directory` (default postgres://postgres@127.0.0.1:5432/
fitconnect_bench_directory), never DATABASE_URL. Results: var/bench/directory.json and a
Markdown table on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
import zoneinfo
from pathlib import Path

from bench.databases import configure_django, database_url, recreate_database
from bench.machine import machine_facts

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "directory.json"
ZONES = ("America/New_York", "Asia/Tokyo", "Europe/London", "UTC")
# Local wall-clock windows by weekday (Monday 0).
WINDOWS = {
    **{d: [(dt.time(7), dt.time(12)), (dt.time(14), dt.time(20))] for d in range(5)},
    5: [(dt.time(9), dt.time(13))],
}
BOOKING_SERIES = (0, 10, 50, 200)
BOOKING_SERIES_TRAINERS = 24
TRAINER_SERIES = tuple(
    int(n) for n in os.environ.get("BENCH_DIRECTORY_SIZES", "1,24,100,1000").split(",")
)
TRAINER_SERIES_BOOKINGS = 10
PAGES = {"page 1": {}, "soonest": {"sort": "soonest"}}
FLOOR = {"specialty": "yoga"}
# Per page: WARMUP untimed, then RUNS timed pairs, fewer once a page has taken BUDGET seconds.
RUNS, MIN_RUNS, WARMUP, BUDGET = 15, 5, 2, 20.0


def _setup(db_url: str) -> None:
    # Payout accounts required, as in production.
    configure_django(db_url, REQUIRE_PAYOUT_ACCOUNT="true")
    from django.conf import settings
    from django.test.utils import override_settings

    # DEBUG off asks for collectstatic's manifest; page links to static files cost the same
    # without it, and the benchmark serves none.
    storages = {**settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES=storages).enable()


# --- seeding ----------------------------------------------------------------------------------
def _add_trainers(n: int, start: int) -> None:
    from accounts.models import User
    from trainers.models import AvailabilityWindow, TrainerProfile

    users = User.objects.bulk_create(
        User(
            email=f"bench-trainer{i}@example.com",
            first_name="Trainer",
            last_name=f"Number{i}",
            role=User.Role.TRAINER,
            timezone=ZONES[i % len(ZONES)],
            password="!",  # unusable
        )
        for i in range(start, start + n)
    )
    profiles = TrainerProfile.objects.bulk_create(
        TrainerProfile(
            user=user,
            headline="Strength and conditioning",
            specialties=["strength"],
            languages=["en"],
            hourly_rate=7500,
            timezone=user.timezone,
            # One in ten cannot be paid yet: REQUIRE_PAYOUT_ACCOUNT keeps them off the directory.
            payouts_enabled=(start + i) % 10 != 9,
        )
        for i, user in enumerate(users)
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(trainer=p, weekday=d, start_time=s, end_time=e)
        for p in profiles
        for d, windows in WINDOWS.items()
        for s, e in windows
    )


def _delete_trainers() -> None:
    from accounts.models import User
    from bookings.models import Booking
    from trainers.models import TrainerProfile

    Booking.objects.all().delete()
    TrainerProfile.objects.all().delete()
    User.objects.filter(role=User.Role.TRAINER).delete()


def _earliest_hours(tz: zoneinfo.ZoneInfo, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The first `count` whole local hours after `after` that lie inside WINDOWS."""
    found: list[dt.datetime] = []
    local = (after.astimezone(tz) + dt.timedelta(hours=1)).replace(minute=0, second=0)
    local = local.replace(tzinfo=None, microsecond=0)
    while len(found) < count:
        end = local + dt.timedelta(hours=1)
        # Windows never cross midnight: an hour that does is in none.
        if end.date() == local.date() and any(
            s <= local.time() and end.time() <= e for s, e in WINDOWS.get(local.weekday(), [])
        ):
            found.append(local.replace(tzinfo=tz).astimezone(dt.UTC))
        local = end
    return found


def _set_bookings(per_trainer: int) -> None:
    """Replace every booking by `per_trainer` per trainer, on their earliest free hours."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from trainers.models import TrainerProfile

    Booking.objects.all().delete()
    if not per_trainer:
        return
    client, _ = User.objects.get_or_create(
        email="bench-client@example.com", defaults={"role": User.Role.CLIENT, "password": "!"}
    )
    now = timezone.now()
    # The directory offers nothing sooner than the minimum notice: bookings start from there.
    after = now + dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    rows = []
    for trainer in TrainerProfile.objects.all():
        hours = _earliest_hours(zoneinfo.ZoneInfo(trainer.timezone), after, per_trainer)
        for i, start in enumerate(hours):
            pending = i % 5 == 4
            rows.append(
                Booking(
                    client=client,
                    trainer=trainer,
                    start_time=start,
                    end_time=start + dt.timedelta(hours=1),
                    duration_minutes=60,
                    price=7500,
                    currency="usd",
                    status=Booking.Status.PENDING if pending else Booking.Status.CONFIRMED,
                    hold_expires_at=now + dt.timedelta(hours=1) if pending else None,
                )
            )
    Booking.objects.bulk_create(rows, batch_size=5000)


# --- timing -----------------------------------------------------------------------------------
def _timed_pair(browser, params: dict) -> dict:
    """p50 of the page and of the floor, run alternately."""

    def get(query: dict) -> float:
        started = time.perf_counter()
        response = browser.get("/trainers/", query)
        spent = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return spent

    for _ in range(WARMUP):
        get(params), get(FLOOR)
    page, floor = [], []
    began = time.monotonic()
    for run in range(RUNS):
        if run >= MIN_RUNS and time.monotonic() - began > BUDGET:
            break
        page.append(get(params))
        floor.append(get(FLOOR))
    p50, floor_p50 = statistics.median(page), statistics.median(floor)
    return {
        "runs": len(page),
        "p50_ms": round(p50 * 1000, 1),
        "floor_p50_ms": round(floor_p50 * 1000, 1),
        "ratio": round(p50 / floor_p50, 2),
    }


def _cards(browser, params: dict) -> tuple[int, int]:
    """(cards on the page, those saying a next free time): the page shows what it should."""
    html = browser.get("/trainers/", params).content.decode()
    return html.count('class="card trainer-card"'), html.count("Next free: <strong>")


def _measure(browser, series: str, trainers: int, bookings: int) -> list[dict]:
    from trainers.models import TrainerProfile

    listed = TrainerProfile.objects.filter(payouts_enabled=True).count()
    rows = []
    for name, params in PAGES.items():
        cards, with_time = _cards(browser, params)
        row = {
            "series": series,
            "trainers": trainers,
            "listed": listed,
            "bookings_per_trainer": bookings,
            "page": name,
            "cards": cards,
            "cards_with_next_free": with_time,
            **_timed_pair(browser, params),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main() -> None:
    db_url, name, admin_url = database_url("_directory")
    recreate_database(admin_url, name, create=True)
    try:
        _setup(db_url)
        _run()
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(admin_url, name, create=False)


def _run() -> None:
    from django.core.management import call_command
    from django.test import Client

    print("migrating", flush=True)
    call_command("migrate", verbosity=0)
    browser = Client()
    browser.cookies["tz"] = "Europe/Paris"
    report: dict = {"machine": machine_facts(), "rows": []}
    seeded = 0
    for size in sorted(TRAINER_SERIES):
        _add_trainers(size - seeded, seeded)
        seeded = size
        _set_bookings(TRAINER_SERIES_BOOKINGS)
        report["rows"] += _measure(browser, "trainers", seeded, TRAINER_SERIES_BOOKINGS)

    _delete_trainers()
    _add_trainers(BOOKING_SERIES_TRAINERS, 0)
    for bookings in BOOKING_SERIES:
        _set_bookings(bookings)
        report["rows"] += _measure(browser, "bookings", BOOKING_SERIES_TRAINERS, bookings)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    _print_markdown(report)


def _print_markdown(report: dict) -> None:
    m = report["machine"]
    print(
        f"\nMachine: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, load {m['load_avg_at_start']:.1f} at start; {m['date']}\n"
    )
    print(
        "| trainers (listed) | bookings each | page | cards (with a free time) | p50 | "
        "floor p50 | ratio | runs |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in report["rows"]:
        print(
            f"| {r['trainers']:,} ({r['listed']:,}) | {r['bookings_per_trainer']} | {r['page']} | "
            f"{r['cards']} ({r['cards_with_next_free']}) | {r['p50_ms']} ms | "
            f"{r['floor_p50_ms']} ms | {r['ratio']} | {r['runs']} |"
        )
    print(f"\nRaw results: {RESULTS}")


if __name__ == "__main__":
    main()
