import pytest
from django.core.files.storage import default_storage
from django.test import Client

from core.tests.factories import TrainerProfileFactory
from trainers.tests.test_trainer_photo import image_file

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


def test_staff_can_remove_a_photo_but_not_upload_one(
    browser, as_user, django_capture_on_commit_callbacks
):
    trainer = TrainerProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(trainer.user).put(
            "/api/v1/trainers/me/photo/", {"photo": image_file()}, format="multipart"
        )
    trainer.refresh_from_db()
    name = trainer.photo.name
    page = browser.get(f"/admin/trainers/trainerprofile/{trainer.pk}/change/")
    assert page.status_code == 200
    assert 'name="photo"' not in page.content.decode()
    assert trainer.photo.url in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            "/admin/trainers/trainerprofile/",
            {"action": "remove_photos", "_selected_action": [trainer.pk]},
        )

    trainer.refresh_from_db()
    assert not trainer.photo
    assert not default_storage.exists(name)
