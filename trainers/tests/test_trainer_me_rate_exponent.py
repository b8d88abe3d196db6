"""A rate in exponent notation past the decimal context's limits is a 400 and changes nothing."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/"


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("1e999999999", "Amount is too large."),  # was decimal.Overflow: a 500
        ("1e-999999999", "Amount has more than 2 decimal places for USD."),  # was stored as 0.00
    ],
)
def test_it_refuses_a_rate_beyond_the_decimal_limits_and_keeps_the_old_one(
    as_user, trainer, rate, message
):
    response = as_user(trainer.user).patch(URL, {"hourly_rate": rate}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"hourly_rate": [message]}
    trainer.refresh_from_db()
    assert trainer.hourly_rate == 7500
