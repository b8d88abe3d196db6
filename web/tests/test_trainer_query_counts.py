"""The trainer's lists cost the same number of queries for one row as for many (no N+1)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory
from reviews.tests.factories import ReviewFactory, completed_session
from trainers.models import AvailabilityOverride
from web.tests.test_page_query_counts import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory(timezone="America/New_York")
    client.force_login(trainer.user)
    return trainer


def test_the_reviews_page_costs_the_same_for_one_review_or_many(client, trainer):
    ReviewFactory(booking=completed_session(trainer=trainer))
    few = queries(client, "/trainer/reviews/")
    for rating in (1, 2, 3, 4):
        review = ReviewFactory(booking=completed_session(trainer=trainer), rating=rating)
    review.reply, review.replied_at = "Thanks", timezone.now()
    review.save()
    assert queries(client, "/trainer/reviews/") == few


def test_the_availability_page_costs_the_same_for_one_date_or_many(client, trainer):
    today = timezone.now().date()
    AvailabilityOverride.objects.create(
        trainer=trainer, date=today + dt.timedelta(2), kind="day_off"
    )
    few = queries(client, "/trainer/availability/")
    for days in range(3, 9):
        AvailabilityOverride.objects.create(
            trainer=trainer,
            date=today + dt.timedelta(days),
            kind="extra",
            start_time=dt.time(6),
            end_time=dt.time(7),
        )
    # A second window on Monday too (the factory gives one a day).
    trainer.availability.create(weekday=0, start_time=dt.time(0), end_time=dt.time(0, 0, 1))
    assert queries(client, "/trainer/availability/") == few


def test_the_profile_page_costs_a_fixed_number_of_queries(client, trainer):
    few = queries(client, "/trainer/profile/")
    trainer.specialties = ["strength", "yoga", "hiit", "running"]
    trainer.languages = ["en", "ja", "fr"]
    trainer.save()
    assert queries(client, "/trainer/profile/") == few
