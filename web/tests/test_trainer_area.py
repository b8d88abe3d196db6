import pytest

from core.tests.factories import ClientFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db

TRAINER_PAGES = [
    "/trainer/",
    "/trainer/profile/",
    "/trainer/availability/",
    "/trainer/reviews/",
    "/trainer/calendar/",
]


def test_it_answers_404_to_clients_on_trainer_pages(client):
    client.force_login(ClientFactory())
    for url in TRAINER_PAGES:
        assert client.get(url).status_code == 404, url


def test_it_shows_the_trainer_their_pages(client):
    client.force_login(TrainerProfileFactory().user)
    for url in TRAINER_PAGES:
        assert client.get(url).status_code == 200, url


def test_it_saves_the_profile_with_the_apis_rules(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    data = {
        "first_name": "Jo",
        "last_name": "Fit",
        "bio": "Coach",
        "specialties": ["yoga", "strength"],
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


def test_earnings_show_an_empty_state_until_a_first_paid_session(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    page = client.get("/trainer/").content.decode()
    assert "No earnings yet." in page and 'data-label="Gross"' not in page
    PaidPaymentFactory(booking__trainer=trainer)
    page = client.get("/trainer/").content.decode()
    assert "No earnings yet." not in page
    assert '<td data-label="Gross">75.00 USD</td>' in page


def test_earnings_leave_a_lost_chargebacks_share_out_of_the_trainers_net(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    PaidPaymentFactory(booking__trainer=trainer)
    page = client.get("/trainer/").content.decode()
    assert "Lost to chargebacks" not in page
    assert '<td data-label="Net (yours)">63.75 USD</td>' in page

    lost = PaidPaymentFactory(booking__trainer=trainer)
    Payment.objects.filter(pk=lost.pk).update(
        status=Payment.Status.DISPUTED, dispute_id="dp_lost", dispute_status="lost"
    )
    page = client.get("/trainer/").content.decode()
    # 150.00 paid, 22.50 of fees; the chargeback lost takes the trainer's 63.75 share back.
    assert '<td data-label="Gross">150.00 USD</td>' in page
    assert '<td data-label="Platform fee">22.50 USD</td>' in page
    assert '<td data-label="Lost to chargebacks">63.75 USD</td>' in page
    assert '<td data-label="Net (yours)">63.75 USD</td>' in page
