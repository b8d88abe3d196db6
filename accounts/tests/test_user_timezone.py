"""A user's time zone (IANA, default UTC): where pages and emails also show a session's time."""

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

NEW = {
    "email": "ana@example.com",
    "password": "Str0ng-pass-phrase",
    "first_name": "Ana",
    "last_name": "Lee",
    "role": "trainer",
}


def test_register_takes_a_time_zone(api):
    r = api.post("/api/v1/auth/register/", {**NEW, "timezone": "Asia/Tokyo"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["timezone"] == "Asia/Tokyo"
    user = User.objects.get()
    assert user.timezone == "Asia/Tokyo"
    # A trainer's profile starts in the zone of their account.
    assert user.trainer_profile.timezone == "Asia/Tokyo"


def test_register_defaults_to_utc(api):
    r = api.post("/api/v1/auth/register/", NEW, format="json")
    assert r.json()["timezone"] == "UTC"


@pytest.mark.parametrize("bad", ["Mars/Olympus", "localtime", "", "x" * 65, 5])
def test_register_refuses_an_unknown_zone(api, bad):
    r = api.post("/api/v1/auth/register/", {**NEW, "timezone": bad}, format="json")
    assert r.status_code == 400
    assert "timezone" in r.json()["fields"]
    assert not User.objects.exists()


def test_me_shows_and_changes_the_time_zone(as_user, client_user):
    api = as_user(client_user)
    assert api.get("/api/v1/auth/me/").json()["timezone"] == "UTC"
    r = api.patch("/api/v1/auth/me/", {"timezone": "America/New_York"}, format="json")
    assert r.status_code == 200
    assert r.json()["timezone"] == "America/New_York"
    assert api.get("/api/v1/auth/me/").json()["timezone"] == "America/New_York"


def test_me_refuses_a_bad_zone_and_other_fields(as_user, client_user):
    api = as_user(client_user)
    assert api.patch("/api/v1/auth/me/", {"timezone": "Nowhere"}, format="json").status_code == 400
    r = api.patch("/api/v1/auth/me/", {"email": "x@example.com"}, format="json")
    assert r.status_code == 400
    client_user.refresh_from_db()
    assert (client_user.timezone, client_user.email) == ("UTC", client_user.email)


def test_me_needs_a_login(api):
    assert api.patch("/api/v1/auth/me/", {"timezone": "UTC"}, format="json").status_code == 401


def test_web_signup_keeps_the_browsers_zone(client):
    data = {**NEW, "role": "client", "timezone": "Asia/Tokyo", "password": "a-long-Pass-phrase-9"}
    assert client.post("/signup/", data).status_code == 302
    assert User.objects.get().timezone == "Asia/Tokyo"


def test_web_signup_falls_back_to_utc_for_a_zone_it_does_not_know(client):
    data = {**NEW, "role": "client", "timezone": "Not/AZone", "password": "a-long-Pass-phrase-9"}
    assert client.post("/signup/", data).status_code == 302
    assert User.objects.get().timezone == "UTC"


def test_the_account_page_changes_the_zone(client, client_user):
    client.force_login(client_user)
    assert client.post("/account/", {"timezone": "Asia/Tokyo"}).status_code == 302
    client_user.refresh_from_db()
    assert client_user.timezone == "Asia/Tokyo"
    assert client.post("/account/", {"timezone": "Nowhere"}).status_code == 400
