"""Staff hide a review (with a reason) or show it again; nobody adds or edits one there."""

import pytest
from django.test import Client

from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/review/"


@pytest.fixture
def browser(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_hiding_asks_for_a_reason_then_takes_the_review_out_of_the_lists(browser, api, admin_user):
    review = ReviewFactory()
    chosen = {"action": "hide_reviews", "_selected_action": [review.pk]}

    page = browser.post(CHANGELIST, chosen)
    assert page.status_code == 200
    assert b'name="reason"' in page.content
    review.refresh_from_db()
    assert review.hidden_at is None

    no_reason = browser.post(CHANGELIST, {**chosen, "apply": "1", "reason": " "})
    assert no_reason.status_code == 200
    review.refresh_from_db()
    assert review.hidden_at is None

    done = browser.post(CHANGELIST, {**chosen, "apply": "1", "reason": "Names the client"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.hidden_reason, review.hidden_by) == ("Names the client", admin_user)
    assert api.get(f"/api/v1/trainers/{review.trainer_id}/reviews/").json() == []
    assert api.get(f"/api/v1/trainers/{review.trainer_id}/").json()["review_count"] == 0


def test_a_hidden_review_can_be_shown_again(browser, api):
    review = ReviewFactory(hidden_reason="Mistake", hidden_at="2030-01-01T00:00:00Z")
    browser.post(CHANGELIST, {"action": "show_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert (review.hidden_at, review.hidden_reason) == (None, "")
    assert len(api.get(f"/api/v1/trainers/{review.trainer_id}/reviews/").json()) == 1


def test_the_admin_lists_and_shows_reviews_but_adds_none(browser):
    review = ReviewFactory()
    assert browser.get(CHANGELIST).status_code == 200
    assert browser.get(f"{CHANGELIST}{review.pk}/change/").status_code == 200
    assert browser.get(f"{CHANGELIST}add/").status_code == 403
    assert Review.objects.count() == 1
