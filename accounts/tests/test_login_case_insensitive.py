import pytest

from core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["Client.Case@Example.com", "CLIENT.CASE@EXAMPLE.COM"])
def test_it_logs_in_whatever_the_case_of_the_email(api, typed):
    from core.tests.factories import ClientFactory

    ClientFactory(email="client.case@example.com")
    r = api.post("/api/v1/auth/token/", {"email": typed, "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    assert set(r.json()) == {"access", "refresh"}


def test_it_keeps_the_password_case_sensitive(api, client_user):
    r = api.post(
        "/api/v1/auth/token/",
        {"email": client_user.email, "password": PASSWORD.upper()},
        format="json",
    )
    assert r.status_code == 401
    assert r.json()["error"] == "No active account found with the given email and password."


def test_it_refuses_an_inactive_user(api, client_user):
    client_user.is_active = False
    client_user.save()
    r = api.post(
        "/api/v1/auth/token/", {"email": client_user.email, "password": PASSWORD}, format="json"
    )
    assert r.status_code == 401
