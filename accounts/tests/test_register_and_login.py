import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "New@Example.com",
    "password": "Str0ng-pass-phrase",
    "first_name": "Ana",
    "last_name": "Lee",
    "role": "client",
}


def test_it_registers_and_logs_in(api):
    r = api.post("/api/v1/auth/register/", GOOD, format="json")
    assert r.status_code == 201, r.content
    assert r.json() == {
        "id": r.json()["id"],
        "email": "new@example.com",
        "first_name": "Ana",
        "last_name": "Lee",
        "role": "client",
        "timezone": "UTC",
    }
    r = api.post(
        "/api/v1/auth/token/",
        {"email": "new@example.com", "password": GOOD["password"]},
        format="json",
    )
    assert r.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {r.json()['access']}")
    assert api.get("/api/v1/auth/me/").json()["email"] == "new@example.com"


@pytest.mark.parametrize(
    "change",
    [{"role": "admin"}, {"is_staff": True}, {"password": "123"}, {"email": "nope"}, {"role": ""}],
)
def test_it_rejects_bad_registration(api, change):
    r = api.post("/api/v1/auth/register/", {**GOOD, **change}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]
    assert not User.objects.exists()


def test_it_throttles_repeated_failed_logins(api, client_user):
    for _ in range(5):
        r = api.post(
            "/api/v1/auth/token/", {"email": client_user.email, "password": "wrong"}, format="json"
        )
        assert r.status_code == 401
    r = api.post(
        "/api/v1/auth/token/", {"email": client_user.email, "password": "wrong"}, format="json"
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0


def test_malformed_json_is_400(api):
    r = api.post("/api/v1/auth/register/", data="{nope", content_type="application/json")
    assert r.status_code == 400
    assert "error" in r.json()


def test_me_requires_a_token(api):
    r = api.get("/api/v1/auth/me/")
    assert r.status_code == 401
    assert r.json()["error"]
