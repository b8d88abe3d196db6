"""Ids in the path that no row can have (past 2^63, zero) answer 404, on every database."""

import pytest

pytestmark = pytest.mark.django_db

PATHS = [
    ("get", "/api/v1/bookings/{}/"),
    ("post", "/api/v1/bookings/{}/cancel/"),
    ("get", "/api/v1/payments/{}/"),
    ("post", "/api/v1/payments/{}/refund/"),
    ("get", "/api/v1/trainers/{}/"),
    ("get", "/api/v1/trainers/{}/slots/?date=2030-01-01"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
@pytest.mark.parametrize("pk", [0, 2**63 - 1, 2**63, 2**64, 10**40])
def test_it_answers_404_for_an_id_no_row_can_have(as_user, admin_user, method, path, pk):
    response = getattr(as_user(admin_user), method)(path.format(pk), {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


@pytest.mark.parametrize("body", [{"booking_id": 2**63}, {"booking_id": 0}, {"trainer_id": 2**64}])
def test_it_refuses_body_ids_no_row_can_have_with_400(as_user, client_user, body):
    url = "/api/v1/payments/create-payment-intent/" if "booking_id" in body else "/api/v1/bookings/"

    response = as_user(client_user).post(url, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]
