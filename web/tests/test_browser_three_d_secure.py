import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory
from web.tests.browser_helpers import THREE_D_SECURE, VISA, book_first_free_slot, fill_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_completes_3d_secure_and_shows_paid(web):
    new_page, base = web
    page = new_page()
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())

    fill_card(page, THREE_D_SECURE)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    # The bank challenges twice: when the card is set up, and when the payment is confirmed.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("status")).to_contain_text("Your bank asks you to confirm")
    page.get_by_role("button", name="Complete authentication").click()

    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    assert Booking.objects.get(pk=booking_id).payment_status == Booking.PaymentStatus.PAID
    assert page.errors == []


def test_it_reports_failed_authentication_and_lets_the_client_pay_again(web):
    new_page, base = web
    page = new_page()
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())

    fill_card(page, THREE_D_SECURE)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("status")).to_contain_text("Your bank asks you to confirm")
    page.get_by_role("button", name="Fail authentication").click()

    expect(page.get_by_role("alert")).to_contain_text("Authentication failed")
    assert Booking.objects.get(pk=booking_id).payment_status != Booking.PaymentStatus.PAID

    fill_card(page, VISA)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    assert Booking.objects.get(pk=booking_id).payment_status == Booking.PaymentStatus.PAID
