"""Users, trainer profiles, availability and bookings are in the admin, searchable
and filterable, and their pages load for a staff user (and for nobody else)."""

import pytest
from django.contrib import admin

from accounts.models import User
from bookings.models import Booking
from core.tests.factories import BookingFactory
from trainers.models import AvailabilityWindow, TrainerProfile

pytestmark = pytest.mark.django_db

MODELS = [User, TrainerProfile, AvailabilityWindow, Booking]


def url(model, suffix="changelist"):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/" + (
        "" if suffix == "changelist" else suffix
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_registers_the_model_with_search_and_filters(model):
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, f"{model.__name__} is not in the admin"
    assert model_admin.search_fields
    assert model_admin.list_filter


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_serves_the_searched_list_and_a_detail_page_to_staff(client, admin_user, model):
    booking = BookingFactory()
    obj = {
        User: booking.client,
        TrainerProfile: booking.trainer,
        AvailabilityWindow: booking.trainer.availability.first(),
        Booking: booking,
    }[model]
    client.force_login(admin_user)
    r = client.get(url(model), {"q": "example.com"})
    assert r.status_code == 200
    r = client.get(url(model, f"{obj.pk}/change/"))
    assert r.status_code == 200


def test_it_keeps_non_staff_out(client, client_user):
    client.force_login(client_user)
    r = client.get(url(Booking))
    assert r.status_code == 302
    assert "/admin/login/" in r["Location"]
