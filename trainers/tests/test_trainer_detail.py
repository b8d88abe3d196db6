import pytest

from core.tests.factories import TrainerProfileFactory, UserFactory
from trainers.tests.helpers import trainer_with

pytestmark = pytest.mark.django_db


def test_it_is_public_and_includes_weekly_availability(api):
    trainer = trainer_with([(0, "09:00", "12:00"), (2, "14:30", "18:00")], tz="Europe/Paris")
    response = api.get(f"/api/v1/trainers/{trainer.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == trainer.id
    assert body["hourly_rate"] == "75.00"
    assert body["timezone"] == "Europe/Paris"
    assert body["availability"] == [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "14:30", "end": "18:00"},
    ]
    assert "email" not in body


def test_it_answers_404_for_an_unknown_trainer(api):
    response = api.get("/api/v1/trainers/999999/")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


def test_it_answers_404_for_a_deactivated_trainer(api):
    trainer = TrainerProfileFactory(user=UserFactory(role="trainer", is_active=False))
    assert api.get(f"/api/v1/trainers/{trainer.id}/").status_code == 404


def test_it_shows_a_trainer_who_paused_bookings(api):
    trainer = TrainerProfileFactory(accepting_bookings=False)
    response = api.get(f"/api/v1/trainers/{trainer.id}/")
    assert response.status_code == 200
    assert response.json()["accepting_bookings"] is False
