"""/trainer/reviews/: the trainer's own visible reviews, newest first, each answered once from
the page; another trainer's or a hidden review does not exist here."""

import html

import pytest
from django.utils import timezone

from core.tests.factories import ClientFactory, TrainerProfileFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, completed_session
from web.tests.test_form_errors import field_errors

pytestmark = pytest.mark.django_db

URL = "/trainer/reviews/"


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    return trainer


def review_of(trainer, **kwargs) -> Review:
    return ReviewFactory(booking=completed_session(trainer=trainer), **kwargs)


def reply_url(review) -> str:
    return f"/trainer/reviews/{review.pk}/reply/"


def test_it_says_when_there_are_no_reviews_yet(client, trainer):
    review_of(TrainerProfileFactory(), comment="Someone else's")
    page = client.get(URL).content.decode()
    assert "No reviews yet." in page and "Someone else" not in page


def test_it_lists_the_trainers_visible_reviews_with_their_average(client, trainer):
    review_of(trainer, rating=5, comment="Superb <b>coach</b>")
    review_of(trainer, rating=4, comment="Good")
    review_of(
        trainer, rating=1, comment="Spam", hidden_at=timezone.now(), hidden_reason="Not a review"
    )
    page = client.get(URL).content.decode()
    assert "<strong>4.50</strong> out of 5 from 2 reviews" in page
    assert "Superb &lt;b&gt;coach&lt;/b&gt;" in page and "Spam" not in page
    assert page.count("Publish reply") == 2


def test_the_trainer_replies_once(client, trainer):
    review = review_of(trainer)
    response = client.post(reply_url(review), {"reply": " Thanks!\r\nSee you soon. "})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.reply, bool(review.replied_at)) == ("Thanks!\nSee you soon.", True)
    page = client.get(URL).content.decode()
    assert "Thanks!<br>See you soon." in page and "Publish reply" not in page

    again = client.post(reply_url(review), {"reply": "Edited"})
    assert again.status_code == 409
    assert "You have already replied to this review." in html.unescape(again.content.decode())
    review.refresh_from_db()
    assert review.reply == "Thanks!\nSee you soon."


@pytest.mark.parametrize(
    "reply, message",
    [("   ", "Write a reply."), ("x" * 2001, "at most 2000 characters")],
)
def test_it_shows_a_bad_reply_next_to_its_review(client, trainer, reply, message):
    review, other = review_of(trainer), review_of(trainer)
    response = client.post(reply_url(review), {"reply": reply})
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert list(errors) == [f"review{review.pk}_reply"]
    assert message in errors[f"review{review.pk}_reply"][0]
    assert f'id="id_review{other.pk}_reply"' in response.content.decode()
    review.refresh_from_db()
    assert review.replied_at is None


def test_it_checks_ownership(client, trainer):
    theirs = review_of(TrainerProfileFactory())
    hidden = review_of(trainer, hidden_at=timezone.now(), hidden_reason="Abuse")
    assert client.post(reply_url(theirs), {"reply": "Mine now"}).status_code == 404
    assert client.post(reply_url(hidden), {"reply": "Hello"}).status_code == 404
    assert client.post("/trainer/reviews/999999/reply/", {"reply": "Hello"}).status_code == 404
    client.force_login(ClientFactory())
    assert client.get(URL).status_code == 404
    assert client.post(reply_url(theirs), {"reply": "Hi"}).status_code == 404
    assert not Review.objects.filter(replied_at__isnull=False).exists()
