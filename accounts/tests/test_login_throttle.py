import time

import pytest

from core.tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db


def login(api, email, password, ip="10.0.0.1"):
    return api.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


def fail_until_blocked(api, email, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert login(api, email, "wrong").status_code == 401


def test_it_answers_429_with_retry_after_within_the_window(api, client_user, settings):
    fail_until_blocked(api, client_user.email, settings)
    r = login(api, client_user.email, PASSWORD)  # even the right password waits
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert "Too many failed logins" in r.json()["error"]


def test_it_counts_per_email_and_address(api, client_user, settings):
    fail_until_blocked(api, client_user.email, settings)
    assert login(api, client_user.email, PASSWORD, ip="10.0.0.2").status_code == 200
    other = ClientFactory()
    assert login(api, other.email, PASSWORD).status_code == 200


def test_it_counts_the_email_whatever_its_case(api, client_user, settings):
    fail_until_blocked(api, client_user.email.upper(), settings)
    assert login(api, client_user.email, PASSWORD).status_code == 429


def test_it_lets_the_user_in_again_after_the_window(api, client_user, settings, monkeypatch):
    fail_until_blocked(api, client_user.email, settings)
    later = time.time() + settings.LOGIN_FAILURE_WINDOW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert login(api, client_user.email, PASSWORD).status_code == 200


def test_a_successful_login_resets_the_count(api, client_user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login(api, client_user.email, "wrong")
    assert login(api, client_user.email, PASSWORD).status_code == 200
    assert login(api, client_user.email, "wrong").status_code == 401
