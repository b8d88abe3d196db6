"""The OpenAPI schema documents the error answers the API really gives, with their body."""

import json

import pytest

from core.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    return json.loads(api.get("/api/schema/", {"format": "json"}).content)


def documented(schema, method: str, path: str) -> dict:
    return schema["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "path", "status"),
    [
        (None, "get", "/api/v1/bookings/", None, "/api/v1/bookings/", 401),
        ("client", "get", "/api/v1/bookings/?page_size=0", None, "/api/v1/bookings/", 400),
        ("client", "get", "/api/v1/bookings/?page=9", None, "/api/v1/bookings/", 404),
        ("client", "post", "/api/v1/bookings/", {}, "/api/v1/bookings/", 400),
        ("client", "get", "/api/v1/bookings/999/", None, "/api/v1/bookings/{booking_id}/", 404),
        ("client", "post", "/api/v1/auth/token/", {}, "/api/v1/auth/token/", 400),
        (None, "post", "/api/v1/auth/token/", {"email": "a", "password": "b"}, None, 401),
        ("client", "get", "/api/v1/trainers/me/", None, "/api/v1/trainers/me/", 403),
        ("client", "get", "/api/v1/analytics/summary/", None, "/api/v1/analytics/summary/", 403),
        (None, "get", "/api/v1/trainers/?page=0", None, "/api/v1/trainers/", 404),
        (None, "get", "/api/v1/trainers/999/", None, "/api/v1/trainers/{id}/", 404),
        (
            "client",
            "post",
            "/api/v1/payments/create-payment-intent/",
            {"booking_id": 999},
            "/api/v1/payments/create-payment-intent/",
            404,
        ),
        (
            "client",
            "post",
            "/api/v1/payments/1/refund/",
            {},
            "/api/v1/payments/{payment_id}/refund/",
            404,
        ),
        (None, "post", "/api/v1/auth/register/", {}, "/api/v1/auth/register/", 400),
    ],
)
def test_it_documents_each_error_answer_with_the_error_body(
    api, as_user, client_user, schema, who, method, url, body, path, status
):
    caller = as_user(client_user) if who == "client" else api
    response = getattr(caller, method)(url, body, format="json")

    assert response.status_code == status
    assert isinstance(response.json()["error"], str)
    answers = documented(schema, method, path or url)
    assert str(status) in answers
    assert answers[str(status)]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_it_documents_the_conflicts_services_raise(as_user, client_user, schema):
    booking = BookingFactory(client=client_user, status="cancelled")

    response = as_user(client_user).post(
        f"/api/v1/bookings/{booking.id}/cancel/", {}, format="json"
    )

    assert response.status_code == 409
    assert "409" in documented(schema, "post", "/api/v1/bookings/{booking_id}/cancel/")
    assert "409" in documented(schema, "post", "/api/v1/bookings/")
    assert "429" in documented(schema, "post", "/api/v1/auth/token/")


def test_it_documents_no_credentials_answers_where_none_are_read(schema):
    assert set(documented(schema, "post", "/api/v1/auth/register/")) == {"201", "400", "429"}
    assert "401" not in documented(schema, "post", "/api/v1/payments/webhook/")
    assert "403" not in documented(schema, "get", "/api/v1/trainers/")


def test_it_documents_that_pages_start_at_one(schema):
    params = schema["paths"]["/api/v1/payments/"]["get"]["parameters"]

    assert {p["name"]: p["schema"]["minimum"] for p in params} == {"page": 1, "page_size": 1}
