"""/trainer/profile/: pick lists for specialties, languages, currency and time zone, checked by
the API's rules with every mistake shown at once; a name is shown as text, whatever it holds."""

import html
import re

import pytest

from core.tests.factories import TrainerProfileFactory
from trainers.choices import LANGUAGES
from web.tests.test_form_errors import field_errors

pytestmark = pytest.mark.django_db

URL = "/trainer/profile/"
PROFILE = {
    "first_name": "Kim",
    "last_name": "Lee",
    "headline": "Strength for beginners",
    "bio": "",
    "specialties": ["strength", "mobility"],
    "languages": ["en", "ja"],
    "hourly_rate": "75.00",
    "currency": "usd",
    "timezone": "Asia/Tokyo",
    "accepting_bookings": "on",
}
TRAINER_PAGES = ["/trainer/", URL, "/trainer/availability/", "/trainer/reviews/"]


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    return trainer


def test_it_saves_what_was_picked_from_the_lists(client, trainer):
    assert client.post(URL, PROFILE).status_code == 302
    trainer.refresh_from_db()
    assert (trainer.specialties, trainer.languages, trainer.timezone, trainer.headline) == (
        ["strength", "mobility"],
        ["en", "ja"],
        "Asia/Tokyo",
        "Strength for beginners",
    )
    page = client.get(URL).content.decode()
    assert re.search(r'<input type="checkbox" name="languages" value="ja"[^>]* checked', page)
    assert re.search(r'<option value="Asia/Tokyo" selected>Asia/Tokyo</option>', page)
    assert re.search(r'<option value="jpy">JPY</option>', page)
    assert page.count('name="specialties"') == 20


def test_the_rate_is_read_in_the_currency_picked(client, trainer):
    assert (
        client.post(URL, {**PROFILE, "currency": "jpy", "hourly_rate": "9000"}).status_code == 302
    )
    trainer.refresh_from_db()
    assert (trainer.currency, trainer.hourly_rate) == ("jpy", 9000)
    response = client.post(URL, {**PROFILE, "currency": "jpy", "hourly_rate": "9000.50"})
    assert response.status_code == 400 and "hourly_rate" in field_errors(response.content.decode())


def test_every_mistake_shows_at_once_and_nothing_is_saved(client, trainer):
    bad = {
        **PROFILE,
        "first_name": "  ",
        "headline": "x" * 121,
        "specialties": ["strength", "juggling"],
        "languages": sorted(LANGUAGES)[:11],
        "hourly_rate": "0.10",
        "currency": "btc",
        "timezone": "Mars/Olympus",
    }
    response = client.post(URL, bad)
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert set(errors) == {
        "first_name",
        "headline",
        "specialties",
        "languages",
        "currency",
        "timezone",
        "hourly_rate",  # checked in the profile's currency while the one picked is wrong
    }, errors
    assert errors["languages"] == ["Pick at most 10."]
    trainer.refresh_from_db()
    assert (trainer.hourly_rate, trainer.timezone, trainer.specialties) == (
        7500,
        "UTC",
        ["strength"],
    )


def test_a_long_name_with_line_breaks_and_markup_is_one_line_of_text(client, trainer):
    typed = ("<script>alert(1)</script>\r\nKim " * 6)[:150]
    response = client.post(URL, {**PROFILE, "first_name": typed, "last_name": "<b>Lee</b>"})
    assert response.status_code == 302
    trainer.user.refresh_from_db()
    assert trainer.user.first_name == " ".join(typed.split())
    assert "\n" not in trainer.user.first_name


def test_a_name_with_markup_stored_by_the_api_renders_as_text(client, trainer):
    # The API keeps line breaks in names: every page must still show the name as text.
    trainer.user.first_name = ("<script>alert('x')</script>\n<img src=x onerror=alert(2)>" * 3)[
        :150
    ]
    trainer.user.save()
    for url in TRAINER_PAGES:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = client.get("/trainer/").content.decode()
    assert html.escape("<script>alert('x')</script>") in page
