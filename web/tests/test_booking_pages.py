import json

import pytest

from bookings.models import Booking
from core.tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db

CLIENT_PAGES = ["", "pay/", "cancel/", "status/"]
JSON_POSTS = ["pay/setup/", "pay/confirm/"]


def test_it_answers_404_to_an_outsider_and_to_the_trainer_on_client_pages(client):
    booking = BookingFactory()
    for user in (ClientFactory(), booking.trainer.user):
        client.force_login(user)
        for page in CLIENT_PAGES:
            assert client.get(f"/sessions/{booking.pk}/{page}").status_code == 404, page
        for page in JSON_POSTS:
            response = client.post(f"/sessions/{booking.pk}/{page}", "{}", "application/json")
            assert response.status_code == 404, page
        assert client.post(f"/sessions/{booking.pk}/cancel/").status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PENDING


def test_it_sends_anonymous_visitors_to_log_in(client):
    booking = BookingFactory()
    response = client.get(f"/sessions/{booking.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_it_shows_the_client_their_booking_and_its_status(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    assert client.get(f"/sessions/{booking.pk}/").status_code == 200
    assert client.get("/sessions/").status_code == 200
    status = client.get(f"/sessions/{booking.pk}/status/").json()
    assert status == {
        "status": "pending",
        "payment_status": "unpaid",
        "payment_status_display": "Unpaid",
        "paid": False,
        "can_pay": True,
        "expired": False,
    }


def test_it_answers_400_to_a_confirm_without_a_usable_card(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    url = f"/sessions/{booking.pk}/pay/confirm/"
    for body in ("not json", "{}", json.dumps({"setup_intent": "seti_<script>"}), "[1]"):
        response = client.post(url, body, "application/json")
        assert response.status_code == 400, body
        assert response.json()["error"]
    response = client.post(url, json.dumps({"payment_method": 42}), "application/json")
    assert response.status_code == 400
    assert not booking.payments.exists()


def test_it_refuses_a_saved_card_that_is_not_the_clients(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    response = client.post(
        f"/sessions/{booking.pk}/pay/confirm/",
        json.dumps({"payment_method": "pm_someone_elses"}),
        "application/json",
    )
    assert response.status_code == 400
    assert not booking.payments.exists()


def test_it_shows_the_refund_before_cancelling_an_unpaid_booking_and_cancels_it(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    page = client.get(f"/sessions/{booking.pk}/cancel/").content.decode()
    assert "Refund if you cancel now: 0.00 USD" in page
    response = client.post(f"/sessions/{booking.pk}/cancel/", {"reason": "ill"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == (Booking.Status.CANCELLED, "ill")


def test_it_requires_csrf_on_the_payment_endpoints(client):
    from django.test import Client

    booking = BookingFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(booking.client)
    response = strict.post(f"/sessions/{booking.pk}/pay/setup/", "{}", "application/json")
    assert response.status_code == 403
