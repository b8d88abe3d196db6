import pytest
from django.test import Client

from bookings.models import Booking
from core.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/bookings/booking/"


@pytest.fixture
def browser(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_lists_searches_and_filters_bookings(browser):
    mine = BookingFactory(client__email="findme@example.com")
    other = BookingFactory(status="cancelled")

    everything = browser.get(CHANGELIST)
    by_email = browser.get(CHANGELIST, {"q": "findme"})
    by_id = browser.get(CHANGELIST, {"q": str(other.pk)})
    by_status = browser.get(CHANGELIST, {"status__exact": "cancelled"})

    for response in (everything, by_email, by_id, by_status):
        assert response.status_code == 200
    assert set(everything.context["cl"].result_list) == {mine, other}
    assert list(by_email.context["cl"].result_list) == [mine]
    assert other in by_id.context["cl"].result_list
    assert list(by_status.context["cl"].result_list) == [other]
    assert b"75.00 USD" in everything.content


def test_it_does_not_let_an_admin_edit_the_price_or_statuses(browser):
    booking = BookingFactory()

    response = browser.get(f"{CHANGELIST}{booking.pk}/change/")

    assert response.status_code == 200
    editable = set(response.context["adminform"].form.fields)
    assert editable == {"cancellation_reason"}
    assert b"75.00 USD" in response.content


def test_it_has_no_add_form(browser):
    assert browser.get(f"{CHANGELIST}add/").status_code == 403


def test_it_cancels_selected_bookings_through_the_service(browser, admin_user):
    open_booking = BookingFactory()
    done = BookingFactory(status="expired")

    response = browser.post(
        CHANGELIST,
        {"action": "cancel_selected", "_selected_action": [open_booking.pk, done.pk]},
    )

    assert response.status_code == 302
    open_booking.refresh_from_db()
    assert (open_booking.status, open_booking.cancelled_by) == ("cancelled", admin_user)
    assert Booking.objects.get(pk=done.pk).status == "expired"


def test_it_is_for_staff_only(client_user):
    client = Client()
    client.force_login(client_user)

    assert client.get(CHANGELIST).status_code == 302
