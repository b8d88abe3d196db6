import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory
from payments.models import Payment
from web.tests.browser_helpers import VISA, book_first_free_slot, fill_card
from web.tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_pays_with_4242_and_shows_paid_from_the_webhook(web):
    new_page, base = web
    trainer = TrainerProfileFactory(user__first_name="Alex", user__last_name="Strong")
    client = ClientFactory()
    page = new_page()
    page.goto(f"{base}/trainers/")
    expect(page.get_by_role("link", name="Alex Strong")).to_be_visible()

    booking_id = book_first_free_slot(page, base, client, trainer)
    expect(page.get_by_test_id("price")).to_have_text("75.00 USD")
    screenshot(page, "checkout")
    fill_card(page, VISA)
    page.get_by_role("button", name="Pay 75.00 USD").click()

    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    booking = Booking.objects.get(pk=booking_id)
    assert booking.payment_status == Booking.PaymentStatus.PAID
    assert booking.status == Booking.Status.CONFIRMED
    payment = Payment.objects.get(booking=booking, status=Payment.Status.SUCCEEDED)
    assert payment.amount == 7500
    page.get_by_role("link", name="View your receipt").click()
    expect(page.get_by_test_id("payment-status")).to_have_text("Paid")
    screenshot(page, "receipt")
    assert page.errors == []
