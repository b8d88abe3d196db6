import pytest
from playwright.sync_api import expect

from core.tests.factories import PASSWORD, BookingFactory, ClientFactory
from web.tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_answers_404_to_an_outsider_opening_another_clients_booking(web):
    new_page, base = web
    booking = BookingFactory()
    outsider = ClientFactory()
    page = new_page()
    log_in(page, base, outsider.email, PASSWORD)

    for path in ("", "pay/", "cancel/", "status/"):
        response = page.goto(f"{base}/sessions/{booking.pk}/{path}")
        assert response.status == 404, path
    page.goto(f"{base}/sessions/{booking.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    expect(page.get_by_text(booking.client.email)).to_have_count(0)
    screenshot(page, "not-found")
