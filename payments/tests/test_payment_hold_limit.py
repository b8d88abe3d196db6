import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.tests.factories import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def test_starting_a_payment_never_renews_a_hold_past_its_limit(
    localstripe, start_payment, settings
):
    """Each create-payment-intent call renewed the hold by BOOKING_HOLD_MINUTES, so a client could
    keep a slot unpaid for as long as they kept calling."""
    settings.BOOKING_HOLD_MAX_MINUTES = 60
    booking = BookingFactory()
    made = timezone.now() - dt.timedelta(minutes=55)
    Booking.objects.filter(pk=booking.pk).update(created_at=made)
    assert start_payment(booking).status_code == 200
    booking.refresh_from_db()
    assert booking.hold_expires_at == made + dt.timedelta(minutes=60)
