import pytest

from bookings.services import booking_price


@pytest.mark.parametrize(
    ("rate", "minutes", "price"),
    [
        (7500, 60, 7500),
        (7500, 30, 3750),
        (7500, 90, 11250),
        (7501, 45, 5626),  # 5625.75 rounds up
        (7502, 30, 3751),
        (1001, 30, 501),  # 500.5: half rounds up
        (1003, 30, 502),  # 501.5 rounds up
        (1, 45, 1),  # 0.75
        (1, 30, 1),  # 0.5: half up
        (9999, 180, 29997),
        (500, 60, 500),  # zero-decimal currencies (jpy) use the same minor-unit rule
    ],
)
def test_it_prices_rate_times_duration_half_up(rate, minutes, price):
    assert booking_price(hourly_rate=rate, duration_minutes=minutes) == price


def test_it_uses_the_trainers_rate_not_the_request(book, client_user, db):
    from bookings.tests.conftest import at
    from core.tests.factories import TrainerProfileFactory

    trainer = TrainerProfileFactory(hourly_rate=6001, currency="eur")
    response = book(client_user, trainer, at(), 45, price="1.00")

    assert response.status_code == 201
    assert (response.json()["price"], response.json()["currency"]) == ("45.01", "eur")
