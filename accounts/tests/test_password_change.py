"""Changing or resetting a password revokes every token issued before it."""

import re

import pytest
from django.core import mail

from accounts.tests.helpers import obtain_tokens
from core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "An0ther-long-passphrase"
URL = "/api/v1/auth/password/"


def bearer(api, access):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


def test_a_password_change_revokes_earlier_tokens_and_returns_new_ones(api, client_user):
    old = obtain_tokens(api, client_user.email)
    r = bearer(api, old["access"]).post(
        URL, {"current_password": PASSWORD, "new_password": NEW}, format="json"
    )
    assert r.status_code == 200, r.content
    new = r.json()
    assert bearer(api, old["access"]).get("/api/v1/auth/me/").status_code == 401
    api.credentials()
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": old["refresh"]}, format="json")
    assert again.status_code == 401
    assert bearer(api, new["access"]).get("/api/v1/auth/me/").status_code == 200
    api.credentials()
    assert obtain_tokens(api, client_user.email, NEW)["access"]


def test_it_needs_the_current_password(as_user, client_user):
    r = as_user(client_user).post(
        URL, {"current_password": "wrong", "new_password": NEW}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["fields"] == {"current_password": ["This is not your current password."]}
    client_user.refresh_from_db()
    assert client_user.check_password(PASSWORD)


def test_it_refuses_a_weak_new_password(as_user, client_user):
    r = as_user(client_user).post(
        URL, {"current_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["fields"]["new_password"]


def test_guessing_the_current_password_is_throttled(as_user, client_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    api = as_user(client_user)
    for _ in range(2):
        api.post(URL, {"current_password": "wrong", "new_password": NEW}, format="json")
    r = api.post(URL, {"current_password": PASSWORD, "new_password": NEW}, format="json")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0


def test_it_needs_a_login(api):
    assert api.post(URL, {"current_password": "a", "new_password": NEW}).status_code == 401


def test_a_deleted_users_refresh_token_is_a_401(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    client_user.delete()
    r = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 401
    assert r.json()["error"]


def test_a_disabled_users_refresh_token_is_a_401(api, client_user):
    tokens = obtain_tokens(api, client_user.email)
    client_user.is_active = False
    client_user.save()
    r = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert r.status_code == 401


def test_the_web_password_change_keeps_the_session_and_revokes_tokens(api, client, client_user):
    old = obtain_tokens(api, client_user.email)
    client.force_login(client_user)
    r = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert r.status_code == 302
    assert client.get("/account/").status_code == 200
    assert bearer(api, old["access"]).get("/api/v1/auth/me/").status_code == 401


def test_the_web_password_change_refuses_a_wrong_current_password(client, client_user):
    client.force_login(client_user)
    r = client.post(
        "/account/password/", {"old_password": "x", "new_password1": NEW, "new_password2": NEW}
    )
    assert r.status_code == 400
    client_user.refresh_from_db()
    assert client_user.check_password(PASSWORD)


def test_a_password_reset_by_email_sets_a_new_password_and_revokes_tokens(
    api, client, client_user, settings
):
    settings.SITE_URL = "https://fitconnect.example.com"
    old = obtain_tokens(api, client_user.email)
    r = client.post("/password-reset/", {"email": client_user.email.upper()})
    assert r.status_code == 302
    [email] = mail.outbox
    assert email.to == [client_user.email]
    link = re.search(r"https://fitconnect\.example\.com(/password-reset/\S+/)", email.body)[1]
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert done.status_code == 200
    client_user.refresh_from_db()
    assert client_user.check_password(NEW)
    assert bearer(api, old["access"]).get("/api/v1/auth/me/").status_code == 401


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    r = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert r.status_code == 302
    assert mail.outbox == []


def test_reset_emails_are_rate_limited(client, client_user, settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    for _ in range(2):
        assert client.post("/password-reset/", {"email": client_user.email}).status_code == 302
    r = client.post("/password-reset/", {"email": client_user.email})
    assert r.status_code == 429
    assert "Too many password reset emails" in r.content.decode()
    assert len(mail.outbox) == 2
