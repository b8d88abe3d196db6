import re

import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory
from web.tests.browser_helpers import (
    THREE_D_SECURE,
    THREE_D_SECURE_ALWAYS,
    VISA,
    book_first_free_slot,
    fill_card,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _record_statuses(page) -> None:
    """Keep every message the page shows in window.statusesSeen (they replace each other)."""
    page.add_init_script(
        "window.statusesSeen = []; new MutationObserver(() => document"
        ".querySelectorAll('[role=status]').forEach(e => window.statusesSeen.push(e.textContent)))"
        ".observe(document, {subtree: true, childList: true, characterData: true})"
    )


def test_a_card_authenticated_when_it_is_set_up_is_not_challenged_again(web):
    new_page, base = web
    page = new_page()
    _record_statuses(page)
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())

    fill_card(page, THREE_D_SECURE)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    page.get_by_role("button", name="Complete authentication").click()

    expect(page.get_by_test_id("paid")).to_have_text("Paid", timeout=20000)
    assert Booking.objects.get(pk=booking_id).payment_status == Booking.PaymentStatus.PAID
    seen = page.evaluate("window.statusesSeen")
    assert any("Processing your payment" in text for text in seen)
    assert not any("Your bank asks you to confirm" in text for text in seen)
    assert page.get_by_role("button", name="Complete authentication").count() == 0
    assert page.errors == []


def test_a_card_that_always_asks_is_challenged_at_set_up_and_at_payment(web):
    new_page, base = web
    page = new_page()
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())

    fill_card(page, THREE_D_SECURE_ALWAYS)
    page.get_by_role("button", name="Pay 75.00 USD").click()
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

    fill_card(page, THREE_D_SECURE_ALWAYS)
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


def test_a_card_that_fails_authentication_when_set_up_is_not_charged(web):
    new_page, base = web
    page = new_page()
    booking_id = book_first_free_slot(page, base, ClientFactory(), TrainerProfileFactory())

    fill_card(page, THREE_D_SECURE)
    page.get_by_role("button", name="Pay 75.00 USD").click()
    page.get_by_role("button", name="Fail authentication").click()

    expect(page.get_by_role("alert")).to_contain_text(re.compile("authentication failed", re.I))
    assert Booking.objects.get(pk=booking_id).payment_status != Booking.PaymentStatus.PAID
