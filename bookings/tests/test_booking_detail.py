import datetime as dt

import pytest
from django.utils import timezone

from bookings.tests.conftest import URL
from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(client_user, trainer):
    return BookingFactory(client=client_user, trainer=trainer)


def detail(booking):
    return f"{URL}{booking.pk}/"


def test_it_shows_the_booking_to_its_client_trainer_and_admins(
    as_user, booking, client_user, trainer, admin_user
):
    for user in (client_user, trainer.user, admin_user):
        response = as_user(user).get(detail(booking))
        assert response.status_code == 200
        assert response.json()["id"] == booking.pk
        assert response.json()["price"] == "75.00"


def test_it_checks_ownership(as_user, booking, outsider):
    other_trainer = TrainerProfileFactory()

    for user in (outsider, other_trainer.user):
        response = as_user(user).get(detail(booking))
        assert response.status_code == 404
        assert response.json() == {"error": "Not found."}


def test_it_answers_404_for_a_missing_or_absurd_id(as_user, client_user):
    assert as_user(client_user).get(f"{URL}999999/").status_code == 404
    assert as_user(client_user).get(f"{URL}{10**30}/").status_code == 404


def test_it_requires_authentication(api, booking):
    assert api.get(detail(booking)).status_code == 401


def _paid(booking, hours_ahead):
    booking.start_time = timezone.now() + dt.timedelta(hours=hours_ahead)
    booking.end_time = booking.start_time + dt.timedelta(hours=1)
    booking.confirm()
    booking.payment_status = "paid"
    booking.save()
    Payment.objects.create(booking=booking, amount=7500, currency="usd", status="succeeded")


def test_it_previews_a_late_client_cancellation_at_half(as_user, booking, client_user):
    _paid(booking, hours_ahead=5)

    refund = as_user(client_user).get(detail(booking)).json()["cancellation_refund"]

    assert refund["amount"] == "37.50"
    assert refund["percent"] == "50"
    assert "less than 24 hours" in refund["rule"]


def test_it_previews_a_full_refund_for_the_asking_trainer(as_user, booking, client_user, trainer):
    _paid(booking, hours_ahead=5)

    refund = as_user(trainer.user).get(detail(booking)).json()["cancellation_refund"]

    assert (refund["amount"], refund["percent"]) == ("75.00", "100")
    assert "the client is refunded in full" in refund["rule"]


def test_it_previews_nothing_for_a_booking_that_cannot_be_cancelled(as_user, client_user):
    done = BookingFactory(client=client_user, status="cancelled")

    assert as_user(client_user).get(detail(done)).json()["cancellation_refund"] is None


def test_it_words_a_full_client_refund_as_100_percent(as_user, booking, client_user):
    _paid(booking, hours_ahead=48)

    refund = as_user(client_user).get(detail(booking)).json()["cancellation_refund"]

    assert (refund["amount"], refund["percent"]) == ("75.00", "100")
    assert refund["rule"] == "Cancelled at least 24 hours before the session: 100% refund."
