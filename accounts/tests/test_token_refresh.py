import pytest

from accounts.tests.helpers import obtain_tokens

pytestmark = pytest.mark.django_db


def test_it_exchanges_a_refresh_token_for_a_working_access_token(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    r = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {r.json()['access']}")
    assert api.get("/api/v1/auth/me/").json()["email"] == client_user.email


def test_it_rotates_refresh_tokens_so_a_used_one_is_refused(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    first = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["error"]


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "not-a-jwt"}])
def test_it_refuses_a_missing_or_bad_refresh_token(api, body):
    r = api.post("/api/v1/auth/token/refresh/", body, format="json")
    assert r.status_code in (400, 401)
    assert r.json()["error"]


def test_it_refuses_an_access_token_as_a_refresh_token(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    r = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["access"]}, format="json")
    assert r.status_code == 401
