import pytest

from bookings.models import Booking
from bookings.tests.conftest import URL
from core.tests.factories import BookingFactory, TrainerProfileFactory, bookable

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(client_user, trainer):
    return BookingFactory(client=client_user, trainer=trainer)


def cancel(booking):
    return f"{URL}{booking.pk}/cancel/"


@pytest.mark.parametrize("who", ["client", "trainer", "admin"])
def test_it_cancels_an_unpaid_booking(as_user, booking, client_user, trainer, admin_user, who):
    actor = {"client": client_user, "trainer": trainer.user, "admin": admin_user}[who]

    response = as_user(actor).post(cancel(booking), {"reason": "Sick"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == booking.pk
    assert body["status"] == "cancelled"
    assert body["payment_status"] == "unpaid"
    assert body["refund"] is None
    assert body["cancellation_refund"] is None
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancelled_by == actor
    assert booking.cancellation_reason == "Sick"
    assert booking.cancelled_at is not None
    assert booking.hold_expires_at is None


def test_it_cancels_without_a_reason(as_user, booking, client_user):
    response = as_user(client_user).post(cancel(booking), {}, format="json")

    assert response.status_code == 200
    assert Booking.objects.get().status == "cancelled"


def test_it_checks_ownership(as_user, booking, outsider):
    other_trainer = TrainerProfileFactory()

    for user in (outsider, other_trainer.user):
        response = as_user(user).post(cancel(booking), {"reason": "x"}, format="json")
        assert response.status_code == 404
    assert Booking.objects.get().status == "pending"


def test_it_requires_authentication(api, booking):
    assert api.post(cancel(booking), {}, format="json").status_code == 401
    assert Booking.objects.get().status == "pending"


@pytest.mark.parametrize("status", ["cancelled", "expired", "completed"])
def test_it_refuses_to_cancel_a_finished_booking_with_a_409(as_user, client_user, status):
    booking = BookingFactory(client=client_user, status=status, cancellation_reason="")

    response = as_user(client_user).post(cancel(booking), {"reason": "again"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"error": f"This booking is {status} and can no longer be cancelled."}
    booking.refresh_from_db()
    assert booking.status == status
    assert booking.cancellation_reason == ""


def test_it_refuses_a_bad_reason(as_user, booking, client_user):
    response = as_user(client_user).post(cancel(booking), {"reason": "x" * 1001}, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("reason: ")
    assert Booking.objects.get().status == "pending"


def test_it_frees_the_slot(as_user, book, client_user, trainer):
    booking = BookingFactory(client=client_user, trainer=trainer, start_time=bookable())
    as_user(client_user).post(cancel(booking), {}, format="json")

    response = book(client_user, trainer, booking.start_time)

    assert response.status_code == 201
