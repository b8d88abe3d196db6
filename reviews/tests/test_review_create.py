"""POST /api/v1/bookings/{id}/review/: the client of a completed, paid session rates it once."""

import pytest
from rest_framework.test import APIClient

from core.tests.concurrency import run_concurrently
from core.tests.factories import BookingFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory, RefundFactory
from payments.models import Payment
from reviews.models import Review
from reviews.tests.factories import completed_session

pytestmark = pytest.mark.django_db


def url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/review/"


def post(as_user, user, booking, body):
    return as_user(user).post(url(booking), body, format="json")


def test_the_client_rates_a_completed_session(as_user):
    booking = completed_session()
    response = post(as_user, booking.client, booking, {"rating": 4, "comment": " Tough, fair. "})

    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert (review.booking, review.trainer, review.client) == (
        booking,
        booking.trainer,
        booking.client,
    )
    assert (review.rating, review.comment) == (4, "Tough, fair.")
    body = response.json()
    assert body["rating"] == 4 and body["comment"] == "Tough, fair."
    assert body["client_name"] == f"{booking.client.first_name} {booking.client.last_name[0]}."
    assert body["reply"] == "" and body["replied_at"] is None
    assert "email" not in str(body)


def test_the_comment_is_optional(as_user):
    booking = completed_session()
    assert post(as_user, booking.client, booking, {"rating": 5}).status_code == 201
    assert Review.objects.get().comment == ""


def test_a_session_is_reviewed_once(as_user):
    booking = completed_session()
    assert post(as_user, booking.client, booking, {"rating": 5}).status_code == 201
    response = post(as_user, booking.client, booking, {"rating": 1})
    assert response.status_code == 409
    assert "already reviewed" in response.json()["error"]
    assert Review.objects.get().rating == 5


@pytest.mark.django_db(transaction=True)
def test_two_reviews_at_once_make_one():
    booking = completed_session()

    def attempt(i):
        api = APIClient()
        api.force_authenticate(booking.client)
        return api.post(url(booking), {"rating": i + 1}, format="json").status_code

    assert sorted(run_concurrently(attempt, 4)) == [201, 409, 409, 409]
    assert Review.objects.count() == 1


def partly_refunded():
    return RefundFactory(
        payment__booking__status="completed",
        payment__booking__payment_status="partially_refunded",
        payment__status=Payment.Status.PARTIALLY_REFUNDED,
        amount=1000,
    ).payment.booking


def test_a_partial_goodwill_refund_still_leaves_a_reviewable_session(as_user):
    booking = partly_refunded()
    assert post(as_user, booking.client, booking, {"rating": 3}).status_code == 201


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PaidPaymentFactory().booking, "once it has been completed"),  # confirmed
        (lambda: BookingFactory(status="pending"), "once it has been completed"),
        (lambda: PaidPaymentFactory(booking__status="cancelled").booking, "cancelled"),
        (
            lambda: (
                PaidPaymentFactory(
                    booking__status="completed",
                    booking__payment_status="refunded",
                    status=Payment.Status.REFUNDED,
                ).booking
            ),
            "refunded",
        ),
        (
            lambda: (
                PaidPaymentFactory(
                    booking__status="completed", status=Payment.Status.DISPUTED
                ).booking
            ),
            "disputed",
        ),
        (
            lambda: BookingFactory(status="completed", payment_status="unpaid"),
            "paid",
        ),
    ],
)
def test_only_a_real_completed_paid_session_can_be_reviewed(as_user, make, message):
    booking = make()
    response = post(as_user, booking.client, booking, {"rating": 5})
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"rating": 0},
        {"rating": 6},
        {"rating": "five"},
        {"rating": 4.5},
        {"rating": 5, "comment": "x" * 2001},
    ],
)
def test_it_refuses_bad_input(as_user, body):
    booking = completed_session()
    response = post(as_user, booking.client, booking, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert response.json()["fields"]
    assert not Review.objects.exists()


def test_outsiders_get_404_and_the_trainer_and_staff_may_not_review(as_user, outsider, admin_user):
    booking = completed_session()
    assert post(as_user, outsider, booking, {"rating": 1}).status_code == 404
    assert post(as_user, TrainerProfileFactory().user, booking, {"rating": 1}).status_code == 404
    assert post(as_user, booking.trainer.user, booking, {"rating": 5}).status_code == 403
    assert post(as_user, admin_user, booking, {"rating": 5}).status_code == 403
    assert (
        as_user(outsider).post("/api/v1/bookings/999999/review/", {"rating": 5}).status_code == 404
    )
    assert not Review.objects.exists()


def test_the_people_of_the_session_can_read_its_review(as_user, outsider, api):
    booking = completed_session()
    post(as_user, booking.client, booking, {"rating": 4})
    for user in (booking.client, booking.trainer.user):
        assert as_user(user).get(url(booking)).json()["rating"] == 4
    assert as_user(outsider).get(url(booking)).status_code == 404
    assert api.get(url(booking)).status_code == 401
    unreviewed = completed_session()
    assert as_user(unreviewed.client).get(url(unreviewed)).status_code == 404
