import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory, UserFactory
from trainers.availability import free_slots_by_day

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/"


def ids(response):
    assert response.status_code == 200, response.content
    assert isinstance(response.json(), list)
    return [row["id"] for row in response.json()]


def test_it_is_public_and_shows_rates_as_decimal_strings(api):
    trainer = TrainerProfileFactory(
        hourly_rate=7550, specialties=["strength", "yoga"], headline="Lift well", languages=["en"]
    )
    response = api.get(URL)
    assert response.status_code == 200
    rows = response.json()
    # The first hour-long slot the trainer's page offers (open every day: today or tomorrow).
    today = timezone.now().date()
    slots = free_slots_by_day(trainer, [today, today + dt.timedelta(days=1)], 60)
    first = min(s for day in slots.values() for s in day)
    assert rows[0].pop("next_available") == first.isoformat().replace("+00:00", "Z")
    assert rows == [
        {
            "id": trainer.id,
            "first_name": trainer.user.first_name,
            "last_name": trainer.user.last_name,
            "headline": "Lift well",
            "bio": trainer.bio,
            "specialties": ["strength", "yoga"],
            "languages": ["en"],
            "hourly_rate": "75.50",
            "currency": "usd",
            "timezone": "UTC",
            "accepting_bookings": True,
            "photo_url": None,
            "avatar_url": trainer.avatar_url,
            "rating": None,
            "review_count": 0,
        }
    ]


def test_it_does_not_expose_emails(api):
    TrainerProfileFactory()
    assert "email" not in api.get(URL).json()[0]


def test_it_lists_only_trainers_accepting_bookings_with_a_rate(api):
    listed = TrainerProfileFactory()
    TrainerProfileFactory(accepting_bookings=False)
    TrainerProfileFactory(hourly_rate=0)  # a fresh sign-up who has not set a rate
    TrainerProfileFactory(user=UserFactory(role="trainer", is_active=False))
    assert ids(api.get(URL)) == [listed.id]


def test_it_filters_by_specialty(api):
    yoga = TrainerProfileFactory(specialties=["yoga", "pilates"])
    TrainerProfileFactory(specialties=["strength"])
    TrainerProfileFactory(specialties=["power yoga"])
    assert ids(api.get(URL, {"specialty": "yoga"})) == [yoga.id]
    assert ids(api.get(URL, {"specialty": "Yoga "})) == [yoga.id]
    assert ids(api.get(URL, {"specialty": "boxing"})) == []


def test_it_filters_by_max_rate_in_each_trainers_currency(api):
    cheap = TrainerProfileFactory(hourly_rate=6000)
    exact = TrainerProfileFactory(hourly_rate=8000)
    above = TrainerProfileFactory(hourly_rate=8001)
    yen = TrainerProfileFactory(hourly_rate=80, currency="jpy")
    TrainerProfileFactory(hourly_rate=81, currency="jpy")
    assert ids(api.get(URL, {"max_rate": "80.00"})) == [cheap.id, exact.id, yen.id]
    # Yen has no decimals: 80.50 still stops at 80 yen.
    assert ids(api.get(URL, {"max_rate": "80.50"})) == [cheap.id, exact.id, above.id, yen.id]
    assert ids(api.get(URL, {"max_rate": "60"})) == [cheap.id]


@pytest.mark.parametrize("bad", ["abc", "-5", "80.001", "NaN", "1e3", "80,00", "123456789"])
def test_it_refuses_a_bad_max_rate(api, bad):
    TrainerProfileFactory()
    response = api.get(URL, {"max_rate": bad})
    assert response.status_code == 400
    assert "max_rate" in response.json()["fields"]
    assert response.json()["error"]


def test_it_searches_names_bio_and_specialties(api):
    ann = TrainerProfileFactory(
        user__first_name="Ann", user__last_name="Lee", bio="Marathon prep", specialties=["running"]
    )
    bob = TrainerProfileFactory(
        user__first_name="Bob", user__last_name="Stone", bio="Powerlifting", specialties=["boxing"]
    )
    assert ids(api.get(URL, {"q": "ann lee"})) == [ann.id]
    assert ids(api.get(URL, {"q": "MARATHON"})) == [ann.id]
    assert ids(api.get(URL, {"q": "boxing"})) == [bob.id]
    assert ids(api.get(URL, {"q": "ann boxing"})) == []


def test_it_treats_empty_filters_as_absent(api):
    trainer = TrainerProfileFactory()
    assert ids(api.get(URL, {"max_rate": "", "specialty": "", "q": ""})) == [trainer.id]


def test_it_combines_filters(api):
    match = TrainerProfileFactory(specialties=["yoga"], hourly_rate=5000, bio="Calm flows")
    TrainerProfileFactory(specialties=["yoga"], hourly_rate=9000, bio="Calm flows")
    TrainerProfileFactory(specialties=["strength"], hourly_rate=5000, bio="Calm flows")
    assert ids(api.get(URL, {"specialty": "yoga", "max_rate": "60.00", "q": "calm"})) == [match.id]


def test_it_paginates_with_link_headers(api):
    trainers = TrainerProfileFactory.create_batch(3)
    response = api.get(URL, {"page_size": 2})
    assert ids(response) == [trainers[0].id, trainers[1].id]
    assert response["X-Total-Count"] == "3"
    assert 'rel="next"' in response["Link"]
    assert ids(api.get(URL, {"page_size": 2, "page": 2})) == [trainers[2].id]


def test_its_query_count_does_not_grow_with_rows(api):
    TrainerProfileFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        assert len(ids(api.get(URL))) == 2
    TrainerProfileFactory.create_batch(8)
    with CaptureQueriesContext(connection) as many:
        assert len(ids(api.get(URL))) == 10
    assert len(many) == len(few)
