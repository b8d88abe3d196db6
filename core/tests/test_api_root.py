import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_resources_with_working_urls(api):
    """/api/v1/, the address `make run` prints, was a 404."""
    r = api.get("/api/v1/")
    assert r.status_code == 200
    body = r.json()
    assert {"register", "token", "me", "trainers", "bookings", "payments", "docs"} <= set(body)
    assert body["trainers"]["url"] == "http://testserver/api/v1/trainers/"
    assert body["bookings"]["description"]
    assert api.get(body["trainers"]["url"]).status_code == 200
    assert api.get(body["bookings"]["url"]).status_code == 401  # there, and needs a login
