"""A JSON body nested deeper than Python's recursion limit is a 400, not a 500."""

import pytest

from bookings.models import Booking

pytestmark = pytest.mark.django_db

DEEP = '{"a":' * 5000 + "1" + "}" * 5000


def test_it_answers_400_to_a_deeply_nested_body_from_anyone(api):
    response = api.post("/api/v1/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_it_answers_400_to_a_deeply_nested_booking_and_creates_nothing(as_user, client_user):
    response = as_user(client_user).post(
        "/api/v1/bookings/", "[" * 5000 + "]" * 5000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]
    assert not Booking.objects.exists()
