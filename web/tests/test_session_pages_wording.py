import datetime as dt

import pytest
from django.utils import timezone

from core.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def sections(html: str) -> tuple[str, str]:
    upcoming, past = html.split('id="past"')
    return upcoming, past


def test_a_cancelled_session_is_not_listed_under_upcoming(client, client_user):
    """A cancelled session ahead in time was listed under Upcoming."""
    soon = timezone.now() + dt.timedelta(days=3)
    BookingFactory(client=client_user, start_time=soon, status="cancelled", trainer__bio="x")
    kept = BookingFactory(client=client_user, start_time=soon + dt.timedelta(days=1))
    client.force_login(client_user)
    upcoming, past = sections(client.get("/sessions/").content.decode())
    assert upcoming.count('class="badge cancelled"') == 0
    assert f"/sessions/{kept.pk}/" in upcoming
    assert past.count('class="badge cancelled"') == 1


def test_list_cells_say_what_they_are_for_phones(client, client_user):
    """On phones the column headers are hidden; the status pills lost their labels."""
    BookingFactory(client=client_user)
    client.force_login(client_user)
    html = client.get("/sessions/").content.decode()
    for label in ("When", "Trainer", "Price", "Session", "Payment"):
        assert f'data-label="{label}"' in html


@pytest.mark.parametrize(("key", "shown"), [("pk_test_abc", True), ("pk_live_abc", False)])
def test_the_checkout_names_the_test_cards_in_test_mode_only(
    client, client_user, settings, key, shown
):
    settings.STRIPE_PUBLISHABLE_KEY = key
    booking = BookingFactory(client=client_user)
    client.force_login(client_user)
    html = client.get(f"/sessions/{booking.pk}/pay/").content.decode()
    assert ("4242 4242 4242 4242" in html) is shown
    assert ("4000 0025 0000 3155" in html) is shown
