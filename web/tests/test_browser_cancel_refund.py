import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory
from payments.models import Refund
from web.tests.browser_helpers import VISA, book_first_free_slot, fill_card
from web.tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_refund_before_cancelling_and_applies_it(web, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 48 * 60  # the first free time is >24 h away: full refund
    new_page, base = web
    page = new_page()
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())
    fill_card(page, VISA)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)

    page.goto(f"{base}/sessions/")
    screenshot(page, "my-sessions")
    page.goto(f"{base}/sessions/{booking_id}/")
    page.get_by_role("link", name="Cancel this session").click()
    expect(page.get_by_test_id("refund-quote")).to_contain_text(
        "Refund if you cancel now: 75.00 USD"
    )
    screenshot(page, "cancel")
    page.get_by_role("button", name="Yes, cancel the session").click()

    expect(page.get_by_test_id("booking-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("payment-status")).to_have_text("Refunded")
    expect(page.get_by_test_id("refund")).to_contain_text("75.00 USD")
    booking = Booking.objects.get(pk=booking_id)
    assert booking.status == Booking.Status.CANCELLED
    refund = Refund.objects.get(payment__booking=booking)
    assert (refund.amount, refund.status) == (7500, Refund.Status.SUCCEEDED)
