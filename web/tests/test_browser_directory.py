"""A directory of more trainers than a page holds, sorted by the soonest free time, walked by a
visitor in Los Angeles and by a client in Tokyo at 1280 and 375 px: every card says a next free
time or that there is none in two weeks, page 2 keeps the sort, and nothing scrolls sideways."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.tests.factories import PASSWORD, BookingFactory, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow
from web.tests.axe import assert_accessible
from web.tests.conftest import DESKTOP, PHONE, log_in, screenshot
from web.views.directory import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def trainers() -> None:
    """PAGE_SIZE + 2 trainers open 09:00-13:00 every day in New York or Tokyo, and one in Tokyo
    whose only hour (Saturdays 10:00) is taken on every Saturday of the next two weeks."""
    for i in range(PAGE_SIZE + 2):
        profile = TrainerProfileFactory(
            user__first_name=f"Coach{i:02d}",
            timezone=("America/New_York", "Asia/Tokyo")[i % 2],
            all_week=False,
            headline="Strength and mobility",
        )
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(
                trainer=profile, weekday=d, start_time=dt.time(9), end_time=dt.time(13)
            )
            for d in range(7)
        )
    tokyo = ZoneInfo("Asia/Tokyo")
    full = TrainerProfileFactory(user__first_name="Booked", timezone="Asia/Tokyo", all_week=False)
    AvailabilityWindow.objects.create(
        trainer=full, weekday=5, start_time=dt.time(10), end_time=dt.time(11)
    )
    today = timezone.now().astimezone(tokyo).date()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    for week in (0, 1, 2):
        start = dt.datetime.combine(saturday + dt.timedelta(weeks=week), dt.time(10), tokyo)
        BookingFactory(
            trainer=full,
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            status="confirmed",
            hold_expires_at=None,
        )


def walk(page, base: str, who: str) -> None:
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(size)
        page.goto(f"{base}/trainers/?sort=soonest")
        cards = page.locator(".trainer-card")
        expect(cards).to_have_count(PAGE_SIZE)
        expect(page.get_by_role("status")).to_have_text(f"{PAGE_SIZE + 3} trainers found")
        for card in cards.all():
            expect(card.locator(".next-free")).to_contain_text("Next free:")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert_accessible(page, f"directory {who} {label}")
        page.get_by_role("link", name="Next").click()
        page.wait_for_url("**/trainers/?sort=soonest&page=2")
        expect(page.get_by_text("Page 2 of 2")).to_be_visible()
        cards = page.locator(".trainer-card")
        expect(cards).to_have_count(3)
        # The trainer with no free hour sorts last, and says so.
        expect(cards.last).to_contain_text("Booked")
        expect(cards.last.locator(".next-free")).to_have_text("No free time in the next two weeks")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(DESKTOP)


def test_a_visitor_and_a_client_page_through_the_directory_by_soonest_free_time(web):
    trainers()
    new_page, base = web

    visitor = new_page(timezone_id="America/Los_Angeles")
    visitor.goto(f"{base}/")  # timezone.js sets the tz cookie from the browser's zone
    walk(visitor, base, "visitor")
    visitor.goto(f"{base}/trainers/?sort=soonest")
    # On the visitor's own clock: no zone named after the time.
    expect(visitor.locator(".next-free strong").first).not_to_contain_text("(")
    screenshot(visitor, "directory-visitor-soonest")

    client = ClientFactory(timezone="Asia/Tokyo")
    page = new_page()
    log_in(page, base, client.email, PASSWORD)
    walk(page, base, "client")
    page.goto(f"{base}/trainers/?sort=soonest&page=2")
    screenshot(page, "directory-client-soonest-page-2")
    assert visitor.errors == [] and page.errors == []
