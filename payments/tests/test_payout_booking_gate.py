"""REQUIRE_PAYOUT_ACCOUNT: a trainer whose payouts Stripe has not enabled cannot be booked, and
the directory, the free slots and the booking API all agree; off, bookings work without one."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.tests.factories import TrainerProfileFactory
from payments.tests.connect_helpers import onboard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.REQUIRE_PAYOUT_ACCOUNT = True


def start():
    day = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=3)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def book(as_user, client, trainer):
    body = {"trainer_id": trainer.pk, "start_time": start().isoformat(), "duration_minutes": 60}
    return as_user(client).post("/api/v1/bookings/", body, format="json")


def listed(api) -> set[int]:
    body = api.get("/api/v1/trainers/").json()
    return {t["id"] for t in (body["results"] if isinstance(body, dict) else body)}


def slots(api, trainer) -> list:
    return api.get(f"/api/v1/trainers/{trainer.pk}/slots/", {"date": start().date()}).json()


def test_a_trainer_without_payouts_is_not_offered_anywhere(api, as_user, client_user):
    waiting = TrainerProfileFactory(stripe_account_id="acct_waiting")

    response = book(as_user, client_user, waiting)

    assert response.status_code == 400
    assert response.json()["error"]
    assert "payouts" in str(response.json())
    assert not Booking.objects.exists()
    assert waiting.pk not in listed(api)
    assert slots(api, waiting) == []


def test_a_trainer_whose_payouts_are_enabled_is_bookable(api, as_user, client_user):
    ready = onboard(TrainerProfileFactory())

    assert ready.pk in listed(api)
    assert slots(api, ready)
    response = book(as_user, client_user, ready)
    assert response.status_code == 201, response.content


def test_payouts_disabled_later_stops_new_bookings(api, as_user, client_user):
    trainer = onboard(TrainerProfileFactory())
    trainer.payouts_enabled = False
    trainer.save()

    assert book(as_user, client_user, trainer).status_code == 400
    assert trainer.pk not in listed(api)


def test_without_the_requirement_bookings_work_as_before(api, as_user, client_user, settings):
    settings.REQUIRE_PAYOUT_ACCOUNT = False
    trainer = TrainerProfileFactory()

    assert trainer.pk in listed(api)
    assert slots(api, trainer)
    assert book(as_user, client_user, trainer).status_code == 201


def test_the_directory_page_agrees(client):
    waiting = TrainerProfileFactory(user__first_name="Wanda", user__last_name="Waiting")
    ready = onboard(TrainerProfileFactory(user__first_name="Rita", user__last_name="Ready"))

    page = client.get("/trainers/").content.decode()

    assert f"/trainers/{ready.pk}/" in page
    assert f"/trainers/{waiting.pk}/" not in page
