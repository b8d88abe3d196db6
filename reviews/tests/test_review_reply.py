"""POST /api/v1/bookings/{id}/review/reply/: the session's trainer answers its review once."""

import pytest

from core.tests.factories import TrainerProfileFactory
from reviews.tests.factories import ReviewFactory, completed_session

pytestmark = pytest.mark.django_db


def url(review) -> str:
    return f"/api/v1/bookings/{review.booking_id}/review/reply/"


def test_the_trainer_replies_once(as_user):
    review = ReviewFactory()
    trainer = as_user(review.trainer.user)

    response = trainer.post(url(review), {"reply": " Thanks, see you Tuesday! "}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reply"] == "Thanks, see you Tuesday!"
    assert response.json()["replied_at"]

    again = trainer.post(url(review), {"reply": "Edited"}, format="json")
    assert again.status_code == 409
    review.refresh_from_db()
    assert review.reply == "Thanks, see you Tuesday!"


@pytest.mark.parametrize("body", [{}, {"reply": ""}, {"reply": "   "}, {"reply": "x" * 2001}])
def test_it_refuses_an_empty_or_long_reply(as_user, body):
    review = ReviewFactory()
    response = as_user(review.trainer.user).post(url(review), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]
    review.refresh_from_db()
    assert review.replied_at is None


def test_only_the_sessions_trainer_may_reply_and_outsiders_get_404(as_user, outsider):
    review = ReviewFactory()
    body = {"reply": "Hi"}
    assert as_user(outsider).post(url(review), body, format="json").status_code == 404
    other_trainer = TrainerProfileFactory().user
    assert as_user(other_trainer).post(url(review), body, format="json").status_code == 404
    assert as_user(review.client).post(url(review), body, format="json").status_code == 403
    review.refresh_from_db()
    assert review.reply == ""


def test_there_is_nothing_to_reply_to_before_a_review(as_user):
    booking = completed_session()
    response = as_user(booking.trainer.user).post(
        f"/api/v1/bookings/{booking.pk}/review/reply/", {"reply": "Hi"}, format="json"
    )
    assert response.status_code == 404
