import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.tests.helpers import obtain_tokens
from core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def logged_in(api, user) -> dict:
    tokens = obtain_tokens(api, user.email)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return tokens


def test_it_blacklists_the_refresh_token(api, client_user):
    tokens = logged_in(api, client_user)
    r = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 205
    assert BlacklistedToken.objects.filter(token__user=client_user).count() == 1
    r = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 401
    assert r.json()["error"]


def test_it_refuses_someone_elses_refresh_token(api, client_user):
    victim = ClientFactory()
    victims_tokens = obtain_tokens(api, victim.email)
    logged_in(api, client_user)
    r = api.post("/api/v1/auth/logout/", {"refresh": victims_tokens["refresh"]}, format="json")
    assert r.status_code == 400
    assert r.json()["fields"]["refresh"]
    assert not BlacklistedToken.objects.exists()
    api.credentials()
    r = api.post(
        "/api/v1/auth/token/refresh/", {"refresh": victims_tokens["refresh"]}, format="json"
    )
    assert r.status_code == 200  # the victim's session is untouched


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "garbage"}])
def test_it_rejects_a_missing_or_bad_token(api, client_user, body):
    logged_in(api, client_user)
    r = api.post("/api/v1/auth/logout/", body, format="json")
    assert r.status_code == 400
    assert r.json()["error"]
    assert not BlacklistedToken.objects.exists()


def test_it_requires_authentication(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    r = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 401
    assert not BlacklistedToken.objects.exists()


def test_it_refuses_a_token_already_logged_out(api, client_user):
    tokens = logged_in(api, client_user)
    assert api.post("/api/v1/auth/logout/", tokens, format="json").status_code == 205
    r = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 400
