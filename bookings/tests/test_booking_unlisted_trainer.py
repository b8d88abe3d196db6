"""A trainer nobody can see (login disabled) or without a rate is not bookable: the slot pages
offer nothing for them, so booking creation must refuse them too, and never at a price of 0."""

import pytest

from bookings.models import Booking
from bookings.tests.conftest import at
from core.tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_trainer_whose_account_is_disabled(book, client_user, api):
    trainer = TrainerProfileFactory(user__is_active=False)
    day = at(days=3, hour=9)
    slots = api.get(f"/api/v1/trainers/{trainer.pk}/slots/", {"date": f"{day:%Y-%m-%d}"})
    assert slots.status_code == 404

    response = book(client_user, trainer, day, 60)

    assert response.status_code == 400
    assert "trainer_id" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_it_refuses_a_trainer_without_an_hourly_rate(book, client_user, api):
    trainer = TrainerProfileFactory(hourly_rate=0)
    day = at(days=3, hour=9)
    slots = api.get(f"/api/v1/trainers/{trainer.pk}/slots/", {"date": f"{day:%Y-%m-%d}"})
    assert slots.status_code == 200
    assert slots.json() == []

    response = book(client_user, trainer, day, 60)

    assert response.status_code == 400
    assert "trainer_id" in response.json()["fields"]
    assert not Booking.objects.exists()
