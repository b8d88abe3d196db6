import pytest
from django.test import Client

from core.tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_searches_trainer_profiles_by_email_and_name(browser):
    ann = TrainerProfileFactory(user__email="ann@gym.test", user__first_name="Annabel")
    bob = TrainerProfileFactory(user__email="bob@gym.test")
    page = browser.get("/admin/trainers/trainerprofile/", {"q": "annabel"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [ann]
    page = browser.get("/admin/trainers/trainerprofile/", {"q": "bob@gym"})
    assert list(page.context["cl"].result_list) == [bob]


def test_it_filters_by_specialties_currency_and_accepting(browser):
    tagged = TrainerProfileFactory(specialties=["yoga"])
    bare = TrainerProfileFactory(specialties=[], currency="eur", accepting_bookings=False)
    url = "/admin/trainers/trainerprofile/"
    assert list(browser.get(url, {"has_specialties": "no"}).context["cl"].result_list) == [bare]
    assert list(browser.get(url, {"has_specialties": "yes"}).context["cl"].result_list) == [tagged]
    assert list(browser.get(url, {"currency": "eur"}).context["cl"].result_list) == [bare]
    result = browser.get(url, {"accepting_bookings__exact": "1"}).context["cl"].result_list
    assert list(result) == [tagged]


def test_the_profile_page_shows_availability_inline(browser):
    trainer = TrainerProfileFactory()
    page = browser.get(f"/admin/trainers/trainerprofile/{trainer.id}/change/")
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.queryset.count() == 7


def test_the_window_list_searches_by_trainer_email(browser):
    TrainerProfileFactory(user__email="ann@gym.test")
    TrainerProfileFactory(user__email="bob@gym.test")
    page = browser.get("/admin/trainers/availabilitywindow/", {"q": "ann@gym"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 7
