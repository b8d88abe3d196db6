"""Booking, paying and cancelling with a New York trainer and a Tokyo trainer, as a client in
London: every page and every email gives the session on the trainer's clock and on the client's.
Also walks the pages each role sees at phone and desktop widths (screenshots in var/screenshots)."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import PASSWORD, AdminFactory, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow
from web.tests.browser_helpers import VISA, fill_card
from web.tests.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = "Europe/London"


def trainer_in(zone: str, opens: int, name: str):
    trainer = TrainerProfileFactory(
        timezone=zone,
        user__timezone=zone,
        user__first_name=name,
        user__last_name="Coach",
        all_week=False,
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            trainer=trainer, weekday=d, start_time=dt.time(opens), end_time=dt.time(opens + 4)
        )
        for d in range(7)
    )
    return trainer


def wall(start_utc: dt.datetime, zone: str, *, short=False) -> str:
    """What a person in `zone` reads for a 60-minute session, worked out here with zoneinfo."""
    tz = zoneinfo.ZoneInfo(zone)
    start, end = start_utc.astimezone(tz), (start_utc + dt.timedelta(hours=1)).astimezone(tz)
    day = f"{start:%a} {start.day} {start:%b}" if short else f"{start:%A} {start.day} {start:%B %Y}"
    label = start.tzname() if start.tzname() == zone else f"{start.tzname()} ({zone})"
    return f"{day}, {start:%H:%M}-{end:%H:%M} {label}"


def book_pay_and_cancel(page, base, trainer, opens: int) -> Booking:
    zone = zoneinfo.ZoneInfo(trainer.timezone)
    day = (timezone.now().astimezone(zone) + dt.timedelta(days=3)).date()
    page.goto(f"{base}/trainers/{trainer.pk}/?week={day:%Y-%m-%d}&duration=60")
    # The week view reads on the client's clock (London), the trainer's noted under each: the
    # time the trainer opens at, on the first day shown unfolded.
    first = (
        page.locator("details[open] a.slot")
        .filter(has=page.locator(".theirs", has_text=f" {opens:02d}:00 "))
        .first
    )
    expect(first).to_be_visible()
    screenshot(page, f"tz-trainer-page-{trainer.timezone.replace('/', '-')}")
    first.click()
    page.wait_for_url("**/confirm/*")
    expect(page.get_by_test_id("confirm-theirs")).to_contain_text(f"{opens:02d}:00")
    page.get_by_role("button", name="Hold this time and pay").click()
    page.wait_for_url("**/sessions/*/pay/")
    booking = Booking.objects.get(pk=int(page.url.rstrip("/").split("/")[-2]))
    there, mine = wall(booking.start_time, trainer.timezone), wall(booking.start_time, LONDON)
    assert booking.start_time.astimezone(zone).hour == opens

    expect(page.get_by_test_id("when")).to_have_text(there)
    expect(page.get_by_test_id("when-yours")).to_have_text(f"Your time: {mine}")
    expect(page.get_by_test_id("test-cards")).to_contain_text("4242 4242 4242 4242")
    screenshot(page, "tz-checkout")
    fill_card(page, VISA)
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    expect(page.locator("h1")).to_have_text("Your session is booked")
    expect(page.get_by_text("We hold this time for you")).to_be_hidden()

    page.get_by_role("link", name="View your receipt").click()
    expect(page.get_by_test_id("when")).to_have_text(there)
    expect(page.get_by_test_id("when-yours")).to_have_text(f"Your time: {mine}")
    screenshot(page, "tz-receipt")

    page.goto(f"{base}/sessions/")
    upcoming = page.locator("section", has=page.locator("#up"))
    expect(upcoming).to_contain_text(wall(booking.start_time, trainer.timezone, short=True))
    expect(upcoming).to_contain_text(wall(booking.start_time, LONDON, short=True))
    screenshot(page, "tz-my-sessions")

    page.goto(f"{base}/sessions/{booking.pk}/cancel/")
    expect(page.get_by_test_id("when")).to_have_text(there)
    page.get_by_role("button", name="Yes, cancel the session").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Cancelled")
    page.goto(f"{base}/sessions/")
    expect(upcoming).not_to_contain_text(wall(booking.start_time, trainer.timezone, short=True))
    past = page.locator("section", has=page.locator("#past"))
    expect(past).to_contain_text(wall(booking.start_time, trainer.timezone, short=True))
    return booking


def test_new_york_and_tokyo_sessions_read_right_on_every_page_and_email(web, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 60
    new_page, base = web
    new_york = trainer_in("America/New_York", 6, "Nora")
    tokyo = trainer_in("Asia/Tokyo", 8, "Taro")
    client = ClientFactory(timezone=LONDON)
    page = new_page()
    log_in(page, base, client.email, PASSWORD)

    for trainer, opens in ((new_york, 6), (tokyo, 8)):
        booking = book_pay_and_cancel(page, base, trainer, opens)
        there = wall(booking.start_time, trainer.timezone)
        mine = wall(booking.start_time, LONDON)
        to_client = [m for m in mail.outbox if m.to == [client.email] and there in m.body]
        to_trainer = [m for m in mail.outbox if m.to == [trainer.user.email]]
        # Receipt and refund to the client, new booking and cancellation to the trainer.
        assert len(to_client) == 2, [m.subject for m in mail.outbox]
        assert len(to_trainer) == 2, [m.subject for m in mail.outbox]
        for message in to_client:
            assert f"{there}; your time: {mine}" in " ".join(message.body.split())
        for message in to_trainer:
            body = " ".join(message.body.split())
            assert there in body and "your time" not in body
    assert page.errors == []


def test_each_role_s_pages_at_phone_and_desktop_width(web):
    new_page, base = web
    trainer = trainer_in("Asia/Tokyo", 8, "Taro")
    trainer.bio = "Longwordwithoutanybreak" * 20
    trainer.save()
    page = new_page(PHONE)

    page.goto(f"{base}/trainers/")
    # A long unbroken word in a bio made the directory 4,945 px wide.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "roles-visitor-directory")
    page.goto(f"{base}/trainers/{trainer.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "roles-visitor-trainer-page")

    log_in(page, base, trainer.user.email, PASSWORD)
    page.goto(f"{base}/trainer/")
    screenshot(page, "roles-trainer-area")
    page.goto(f"{base}/account/")
    screenshot(page, "roles-account")

    staff = new_page(PHONE)
    admin = AdminFactory()
    log_in(staff, base, admin.email, PASSWORD)
    staff.goto(f"{base}/trainers/")
    expect(staff.get_by_role("link", name="Admin")).to_be_visible()
    staff.get_by_role("link", name="Analytics").click()
    expect(staff).to_have_url(f"{base}/dashboard/analytics/")
    screenshot(staff, "roles-admin-analytics")
    assert page.errors == [] and staff.errors == []
