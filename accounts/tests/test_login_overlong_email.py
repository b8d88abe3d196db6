"""A login with an absurdly long email is refused like any unknown account, not a 500."""

import pytest

from core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_an_email_longer_than_any_account_with_401(api):
    ClientFactory(email="long@example.com", password="right-password")
    # SQLite refuses a LIKE pattern over 50,000 bytes ("pattern too complex"), and the
    # case-insensitive lookup is a LIKE there.
    response = api.post(
        "/api/v1/auth/token/",
        {"email": "x" * 100_000 + "@example.com", "password": "right-password"},
        format="json",
    )

    assert response.status_code == 401
    assert response.json()["error"] == "No active account found with the given email and password."
