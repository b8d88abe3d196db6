import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def register(api, n, ip="10.0.0.1"):
    body = {
        "email": f"new{n}@example.com",
        "password": "Str0ng-pass-phrase",
        "first_name": "Ana",
        "last_name": "Lee",
        "role": "client",
    }
    return api.post("/api/v1/auth/register/", body, format="json", REMOTE_ADDR=ip)


def test_it_limits_new_accounts_per_address(api, settings):
    settings.REGISTRATION_RATE = "3/h"
    for n in range(3):
        assert register(api, n).status_code == 201
    r = register(api, 3)
    assert r.status_code == 429
    assert set(r.json()) == {"error"}
    assert r.json()["error"].startswith(
        "Too many new accounts from your address: at most 3 per hour."
    )
    assert int(r.headers["Retry-After"]) > 0
    assert User.objects.count() == 3
    assert register(api, 4, ip="10.0.0.2").status_code == 201


def test_the_signup_page_shares_the_limit(api, client, settings):
    settings.REGISTRATION_RATE = "1/h"
    assert register(api, 0).status_code == 201
    r = client.post(
        "/signup/",
        {
            "role": "client",
            "first_name": "Kim",
            "last_name": "Lee",
            "email": "kim@example.com",
            "password": "a-long-Pass-phrase-9",
        },
        REMOTE_ADDR="10.0.0.1",
    )
    assert r.status_code == 429
    assert "Too many new accounts from your address" in r.content.decode()
    assert not User.objects.filter(email="kim@example.com").exists()
