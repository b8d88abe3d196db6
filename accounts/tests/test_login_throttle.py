import datetime as dt

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from core.tests.concurrency import run_concurrently
from core.tests.factories import PASSWORD, AdminFactory, ClientFactory

pytestmark = pytest.mark.django_db


def login(api, email, password, ip="10.0.0.1", **extra):
    return api.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=ip,
        **extra,
    )


def wait_words(response) -> str:
    seconds = int(response.headers["Retry-After"])
    return f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"


def fail_until_blocked(api, email, settings, **kwargs):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert login(api, email, "wrong", **kwargs).status_code == 401


def test_it_answers_429_with_retry_after_within_the_window(api, client_user, settings):
    fail_until_blocked(api, client_user.email, settings)
    r = login(api, client_user.email, PASSWORD)  # even the right password waits
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert r.json() == {"error": f"Too many failed logins. Try again in {wait_words(r)}."}


def test_it_counts_per_email_and_address(api, client_user, settings):
    fail_until_blocked(api, client_user.email, settings)
    assert login(api, client_user.email, PASSWORD, ip="10.0.0.2").status_code == 200
    other = ClientFactory()
    assert login(api, other.email, PASSWORD).status_code == 200


def test_it_counts_the_email_whatever_its_case(api, client_user, settings):
    fail_until_blocked(api, client_user.email.upper(), settings)
    assert login(api, client_user.email, PASSWORD).status_code == 429


def test_it_lets_the_user_in_again_after_the_window(api, client_user, settings):
    from axes.models import AccessAttempt

    fail_until_blocked(api, client_user.email, settings)
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - window
        )
    assert login(api, client_user.email, PASSWORD).status_code == 200


def test_a_successful_login_resets_the_count(api, client_user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login(api, client_user.email, "wrong")
    assert login(api, client_user.email, PASSWORD).status_code == 200
    assert login(api, client_user.email, "wrong").status_code == 401


class SlowerHasher(PBKDF2PasswordHasher):
    """Slow enough (and releasing the GIL while it hashes) for parallel logins to overlap, as
    they do with the real hasher; the suite's MD5 finishes each login before the next starts."""

    iterations = 20_000


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_check_no_more_passwords_than_the_limit(settings):
    from rest_framework.test import APIClient

    settings.PASSWORD_HASHERS = [f"{__name__}.SlowerHasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    user = ClientFactory()
    codes = run_concurrently(lambda i: login(APIClient(), user.email, f"wrong-{i}").status_code, 60)
    assert sorted(codes).count(401) == 5
    assert codes.count(429) == 55
    assert login(APIClient(), user.email, PASSWORD).status_code == 429


def test_the_admin_login_shares_the_throttle(client, api, settings):
    admin = AdminFactory()
    for _ in range(25):
        client.post(
            "/admin/login/", {"username": admin.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    r = client.post(
        "/admin/login/", {"username": admin.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert r.status_code == 429
    assert "Too many failed logins" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # ... and the API's token endpoint counts the same attempts.
    assert login(api, admin.email, PASSWORD).status_code == 429


def test_web_and_api_failures_add_up(client, api, client_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 4
    for _ in range(2):
        client.post(
            "/login/", {"email": client_user.email, "password": "x"}, REMOTE_ADDR="10.0.0.1"
        )
        assert login(api, client_user.email, "wrong").status_code == 401
    assert login(api, client_user.email, PASSWORD).status_code == 429
    r = client.post(
        "/login/", {"email": client_user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0


LONG_S, DOTLESS_I = "\u017f", "\u0131"


def test_the_long_s_is_the_same_account_and_its_count(api, settings):
    """PostgreSQL's case-insensitive match took the long s for an s: each spelling had a fresh
    count, and logged in to the account."""
    ClientFactory(email="student@example.com")
    fail_until_blocked(api, f"{LONG_S}tudent@example.com", settings)
    assert login(api, "student@example.com", PASSWORD).status_code == 429


def test_a_dotless_i_never_logs_in_to_the_dotted_account(api):
    ClientFactory(email="ivan@example.com")
    assert login(api, f"{DOTLESS_I}van@example.com", PASSWORD).status_code == 401


def test_behind_a_proxy_each_client_has_its_own_count(api, client_user, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = {"ip": "10.9.9.9"}
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.5", **proxy}
    fail_until_blocked(api, client_user.email, settings, **first)
    r = login(api, client_user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert r.status_code == 200


def test_a_client_cannot_pick_its_address_by_writing_the_header(api, client_user, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = {"ip": "10.9.9.9"}
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.5", **proxy}
    fail_until_blocked(api, client_user.email, settings, **first)
    # The proxy appends the address it saw; what the client wrote stays on the left.
    spoofed = "198.51.100.1, 203.0.113.5"
    r = login(api, client_user.email, PASSWORD, HTTP_X_FORWARDED_FOR=spoofed, **proxy)
    assert r.status_code == 429
