"""GET /api/v1/trainers/{id}/reviews/, and rating and review_count on the trainer list/detail."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory, UserFactory
from reviews.tests.factories import ReviewFactory, completed_session

pytestmark = pytest.mark.django_db


def review(trainer, rating, *, hidden=False, **kwargs):
    extra = {"hidden_at": timezone.now(), "hidden_reason": "Abusive"} if hidden else {}
    return ReviewFactory(
        booking=completed_session(trainer=trainer), rating=rating, **extra, **kwargs
    )


def url(trainer) -> str:
    return f"/api/v1/trainers/{trainer.pk}/reviews/"


def test_anyone_reads_a_trainers_visible_reviews_newest_first(api):
    trainer = TrainerProfileFactory()
    old = review(trainer, 3)
    new = review(trainer, 5, comment="Superb")
    review(trainer, 1, hidden=True)
    review(TrainerProfileFactory(), 2)
    old.created_at = timezone.now() - dt.timedelta(days=2)
    old.save(update_fields=["created_at"])

    response = api.get(url(trainer))

    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [new.pk, old.pk]
    assert response.json()[0]["comment"] == "Superb"
    assert response["X-Total-Count"] == "2"


def test_it_is_paginated_like_every_list(api):
    trainer = TrainerProfileFactory()
    for rating in (1, 2, 3):
        review(trainer, rating)
    response = api.get(url(trainer), {"page_size": 2})
    assert len(response.json()) == 2
    assert 'rel="next"' in response["Link"]
    assert api.get(url(trainer), {"page_size": 0}).status_code == 400


def test_an_unknown_or_disabled_trainer_is_404(api):
    assert api.get("/api/v1/trainers/999999/reviews/").status_code == 404
    gone = TrainerProfileFactory(user=UserFactory(role="trainer", is_active=False))
    assert api.get(url(gone)).status_code == 404


def test_its_query_count_does_not_grow_with_reviews(api):
    trainer = TrainerProfileFactory()
    review(trainer, 4)
    with CaptureQueriesContext(connection) as few:
        api.get(url(trainer))
    for rating in (1, 2, 3, 5, 5):
        review(trainer, rating)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url(trainer)).json()) == 6
    assert len(many) == len(few)


def test_the_trainer_list_and_detail_show_the_average_of_visible_reviews(api):
    rated = TrainerProfileFactory()
    for rating in (5, 4, 5):
        review(rated, rating)
    review(rated, 1, hidden=True)
    unrated = TrainerProfileFactory()

    listed = {row["id"]: row for row in api.get("/api/v1/trainers/").json()}
    assert (listed[rated.pk]["rating"], listed[rated.pk]["review_count"]) == ("4.67", 3)
    assert (listed[unrated.pk]["rating"], listed[unrated.pk]["review_count"]) == (None, 0)
    detail = api.get(f"/api/v1/trainers/{rated.pk}/").json()
    assert (detail["rating"], detail["review_count"]) == ("4.67", 3)


def test_the_trainer_list_costs_the_same_queries_for_one_trainer_as_for_many(api):
    first = TrainerProfileFactory()
    review(first, 5)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/trainers/").json()) == 1
    for _ in range(6):
        trainer = TrainerProfileFactory()
        review(trainer, 3)
        review(trainer, 4)
    with CaptureQueriesContext(connection) as many:
        rows = api.get("/api/v1/trainers/").json()
    assert len(rows) == 7
    assert len(many) == len(one)
    assert {row["review_count"] for row in rows} == {1, 2}
