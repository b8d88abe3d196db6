"""A visitor in Los Angeles finds a Tokyo trainer, picks a time on their own clock, signs up
mid-way, pays, adds the session to their calendar and reviews it once it is completed; a client
in Berlin moves a New York session across the US daylight-saving change. Every page on the way
passes axe-core (no serious or critical violation) and fits a 375 px screen."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import PASSWORD, ClientFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from reviews.models import Review
from trainers.models import AvailabilityWindow
from web.tests.axe import assert_accessible
from web.tests.browser_helpers import VISA, booking_id_of, fill_card
from web.tests.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UTC = dt.UTC
# 150 characters, the longest first name an account takes, with markup that must stay text.
HOSTILE = ("<script>alert('x')</script>Taro" + "o" * 150)[:150]


def trainer_in(zone: str, opens: int, **kwargs):
    trainer = TrainerProfileFactory(timezone=zone, all_week=False, **kwargs)
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            trainer=trainer, weekday=d, start_time=dt.time(opens), end_time=dt.time(opens + 4)
        )
        for d in range(7)
    )
    return trainer


def checked(page, name: str, *, shot: bool = True) -> None:
    """axe on the page, no horizontal scroll at 375 px, and its screenshots at both widths."""
    assert_accessible(page, name)
    original = page.viewport_size
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert_accessible(page, f"{name} at 375 px")
    page.set_viewport_size(original)
    if shot:
        screenshot(page, name)


def test_a_visitor_signs_up_mid_way_pays_adds_to_calendar_and_reviews(web, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 60
    new_page, base = web
    tokyo = trainer_in(
        "Asia/Tokyo",
        8,
        user__first_name=HOSTILE,
        user__last_name="Coach",
        headline="Kettlebells and mobility, in Japanese or English",
        specialties=["strength", "mobility"],
        languages=["ja", "en"],
        hourly_rate=12000,
    )
    trainer_in("America/New_York", 6, user__first_name="Nora", user__last_name="Coach")
    page = new_page(timezone_id="America/Los_Angeles")
    page.on("dialog", lambda d: page.errors.append(f"dialog: {d.message}"))

    page.goto(f"{base}/")
    checked(page, "home", shot=False)
    page.get_by_label("Specialty").select_option("mobility")
    page.get_by_role("button", name="Search trainers").click()
    page.wait_for_url("**/trainers/?*")
    cards = page.locator(".trainer-card")
    expect(cards).to_have_count(1)
    expect(cards.first.get_by_role("heading")).to_contain_text("<script>alert('x')</script>")
    expect(cards.first).to_contain_text("Next free:")
    checked(page, "trainers", shot=False)

    cards.first.get_by_role("link").click()
    expect(page.get_by_test_id("zone-note")).to_contain_text(
        "Times in your time zone, America/Los_Angeles; the trainer's clock (Asia/Tokyo)"
    )
    checked(page, "booking-week")
    page.locator("a[rel=next]").click()
    slot = page.locator("details[open] a.slot").first
    expect(slot.locator(".theirs")).to_contain_text("JST")
    slot.click()
    page.wait_for_url("**/confirm/*")
    expect(page.get_by_test_id("confirm-yours")).to_contain_text("(America/Los_Angeles)")
    expect(page.get_by_test_id("confirm-theirs")).to_contain_text("JST (Asia/Tokyo)")
    expect(page.get_by_text("120.00 USD")).to_be_visible()
    checked(page, "confirm")
    confirm_url = page.url

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("First name").fill("Vera")
    page.get_by_label("Last name").fill("Visitor")
    page.get_by_label("Email address").fill("vera@example.com")
    page.get_by_label("Password").fill("a long enough passphrase 42")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(confirm_url)
    page.get_by_role("button", name="Hold this time and pay").click()
    page.wait_for_url("**/sessions/*/pay/")
    booking_id = booking_id_of(page)
    fill_card(page, VISA)
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    booking = Booking.objects.select_related("client").get(pk=booking_id)
    assert booking.client.email == "vera@example.com"
    assert booking.client.timezone == "America/Los_Angeles"
    assert booking.price == 12000

    calendar_link = page.get_by_role("link", name="Add to calendar")  # on the paid page
    expect(calendar_link).to_be_visible()
    answer = page.request.get(base + calendar_link.get_attribute("href"))
    assert answer.headers["content-type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(answer.body()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.start_time
    page.goto(f"{base}/sessions/{booking_id}/")
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    assert page.get_by_role("button", name="Publish review").count() == 0
    checked(page, "receipt-calendar")

    after = booking.end_time + dt.timedelta(days=1)
    call_command("complete_sessions", "--now", after.isoformat())
    page.reload()
    expect(page.get_by_test_id("booking-status")).to_have_text("Completed")
    page.get_by_label("4 stars").check()
    page.get_by_label("Comment (optional)").fill("Clear cues, <b>great</b> kettlebell work.")
    checked(page, "review")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.get_by_role("button", name="Publish review")).to_have_count(0)
    review = Review.objects.get(booking=booking)
    assert (review.rating, review.comment) == (4, "Clear cues, <b>great</b> kettlebell work.")

    page.goto(f"{base}/trainers/{tokyo.pk}/")
    expect(page.locator(".review")).to_contain_text("Clear cues, <b>great</b> kettlebell work.")
    expect(page.locator(".profile .rating")).to_contain_text("4.00")
    assert page.errors == []


def test_a_client_in_berlin_moves_a_new_york_session_across_the_us_clock_change(web, settings):
    """The US moves its clocks on 14 March 2027, Europe on 28 March: in between, New York's
    06:00 is 11:00 in Berlin instead of 12:00."""
    settings.BOOKING_MAX_DAYS_AHEAD = 200
    new_page, base = web
    new_york = trainer_in("America/New_York", 6, user__first_name="Nora", user__last_name="Ny")
    client = ClientFactory(timezone="Europe/Berlin")
    booking = PaidPaymentFactory(
        booking__client=client,
        booking__trainer=new_york,
        booking__start_time=dt.datetime(2027, 3, 11, 11, tzinfo=UTC),  # 06:00 EST
    ).booking
    late = PaidPaymentFactory(
        booking__client=client,
        booking__trainer=new_york,
        booking__start_time=dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(hours=3),
    ).booking
    page = new_page()
    log_in(page, base, client.email, PASSWORD)

    page.goto(f"{base}/sessions/{booking.pk}/")
    page.get_by_role("link", name="Move to another time").click()
    page.goto(page.url.split("?")[0] + "?week=2027-03-11")
    # Thursday (EST): 06:00 is the session itself, so the first free time is 07:00, 13:00 here.
    thursday = page.locator("details", has_text="Thursday 11 March")
    expect(thursday.locator("button.slot").first).to_contain_text("13:00")
    expect(thursday.locator("button.slot").first).to_contain_text("07:00 EST")
    monday = page.locator("details", has_text="Monday 15 March")
    monday.locator("summary").click()
    new_time = monday.locator("button.slot", has_text="06:00 EDT")
    expect(new_time).to_contain_text("11:00")
    checked(page, "reschedule")
    new_time.click()
    expect(page.get_by_role("status")).to_contain_text("Your session is moved")
    booking.refresh_from_db()
    assert booking.start_time == dt.datetime(2027, 3, 15, 10, tzinfo=UTC)
    expect(page.get_by_test_id("when")).to_contain_text("06:00-07:00 EDT (America/New_York)")
    expect(page.get_by_test_id("when-yours")).to_contain_text("11:00-12:00 CET (Europe/Berlin)")
    assert any(new_york.user.email in m.to for m in mail.outbox)

    # Within the full-refund window's end a session can no longer be moved: said, not offered.
    page.goto(f"{base}/sessions/{late.pk}/")
    expect(page.get_by_role("link", name="Move to another time")).to_have_count(0)
    expect(page.get_by_test_id("reschedule-refusal")).to_contain_text("can no longer be moved")
    page.goto(f"{base}/sessions/{late.pk}/reschedule/")
    expect(page.get_by_role("status")).to_contain_text("can no longer be moved")
    assert Booking.objects.get(pk=late.pk).start_time == late.start_time
    assert page.errors == []
