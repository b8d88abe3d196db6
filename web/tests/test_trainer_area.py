import datetime as dt

import pytest

from core.tests.factories import ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow

pytestmark = pytest.mark.django_db

TRAINER_PAGES = ["/trainer/", "/trainer/profile/", "/trainer/availability/"]


def test_it_answers_404_to_clients_on_trainer_pages(client):
    client.force_login(ClientFactory())
    for url in TRAINER_PAGES:
        assert client.get(url).status_code == 404, url


def test_it_shows_the_trainer_their_pages(client):
    client.force_login(TrainerProfileFactory().user)
    for url in TRAINER_PAGES:
        assert client.get(url).status_code == 200, url


def _week(**days):
    return {f"day_{d}": days.get(f"day_{d}", "") for d in range(7)}


def test_it_replaces_the_weekly_availability(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    response = client.post("/trainer/availability/", _week(day_0="09:00-12:00, 13:00-17:30"))
    assert response.status_code == 302
    windows = list(trainer.availability.values_list("weekday", "start_time", "end_time"))
    assert windows == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(13), dt.time(17, 30)),
    ]


def test_it_refuses_bad_ranges_and_keeps_the_old_week(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    for text in ("9 to 5", "25:00-26:00", "10:00-09:00"):
        response = client.post("/trainer/availability/", _week(day_2=text))
        assert response.status_code == 400, text
    assert AvailabilityWindow.objects.filter(trainer=trainer).count() == 7


def test_it_saves_the_profile_with_the_apis_rules(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    data = {
        "first_name": "Jo",
        "last_name": "Fit",
        "bio": "Coach",
        "specialties": "Yoga, strength",
        "hourly_rate": "80.50",
        "currency": "usd",
        "timezone": "Europe/London",
        "accepting_bookings": "on",
    }
    assert client.post("/trainer/profile/", data).status_code == 302
    trainer.refresh_from_db()
    assert (trainer.hourly_rate, trainer.specialties) == (8050, ["yoga", "strength"])
    bad = client.post("/trainer/profile/", {**data, "hourly_rate": "-3", "timezone": "Mars/Base"})
    assert bad.status_code == 400
    trainer.refresh_from_db()
    assert (trainer.hourly_rate, trainer.timezone) == (8050, "Europe/London")
