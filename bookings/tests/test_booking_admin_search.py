"""The admin's booking search by id ignores digits int() cannot read ("²")."""

import pytest

from core.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

URL = "/admin/bookings/booking/"


@pytest.mark.parametrize("term", ["\u00b2", "1\u00b2"])
def test_it_searches_for_a_superscript_digit_without_a_500(client, admin_user, term):
    BookingFactory()
    client.force_login(admin_user)

    response = client.get(URL, {"q": term})

    assert response.status_code == 200


def test_it_finds_a_booking_by_its_id(client, admin_user):
    booking = BookingFactory()
    client.force_login(admin_user)

    response = client.get(URL, {"q": str(booking.id)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [booking]
