"""The trainer's forms show every mistake at once, in words, next to its field; a textarea's limit
counts what the trainer typed."""

import re

import pytest

from core.tests.factories import TrainerProfileFactory
from trainers.models import AvailabilityWindow

pytestmark = pytest.mark.django_db

PROFILE = {
    "first_name": "Kim",
    "last_name": "Lee",
    "bio": "",
    "specialties": ["strength"],
    "hourly_rate": "75.00",
    "currency": "usd",
    "timezone": "UTC",
    "accepting_bookings": "on",
}


def field_errors(html: str) -> dict[str, list[str]]:
    """{field id: its error sentences}, read from the ids aria-describedby points at."""
    found = re.findall(r'<div id="id_(\w+)_error">(.*?)</div>', html, flags=re.S)
    return {name: re.findall(r'<p class="error">(.*?)</p>', body) for name, body in found}


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    return trainer


def test_the_profile_form_shows_every_error_at_once_in_words(client, trainer):
    bad = {
        **PROFILE,
        "first_name": "",  # the form's own check
        "hourly_rate": "abc",  # the API's
        "timezone": "Mars/Olympus",  # the API's
        "specialties": ["strength", "x" * 50],  # not one of the list
    }
    response = client.post("/trainer/profile/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    errors = field_errors(html)
    assert set(errors) == {"first_name", "hourly_rate", "timezone", "specialties"}, errors
    assert "ErrorDetail" not in html and "{1:" not in html
    trainer.refresh_from_db()
    assert trainer.hourly_rate == 7500


def test_the_availability_form_shows_every_window_s_error_at_once(client, trainer):
    week = {
        "w0_0_start": "nonsense",  # not a time (the API's rule)
        "w0_0_end": "10:00",
        "w1_0_start": "10:00",  # ends before it starts (the service)
        "w1_0_end": "09:00",
        "w2_0_start": "09:00",
        "w2_0_end": "12:00",
        "w2_1_start": "11:00",  # overlaps the first (the service)
        "w2_1_end": "13:00",
        "w3_0_start": "09:00",  # no end
        "w4_0_start": "09:00",  # fine
        "w4_0_end": "17:00",
    }
    response = client.post("/trainer/availability/", week)
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert set(errors) == {"w0_0_start", "w1_0_end", "w2_1_start", "w3_0_end"}, errors
    assert errors["w2_1_start"] == ["Overlaps 09:00-12:00 on Wednesday."]
    assert AvailabilityWindow.objects.filter(trainer=trainer).count() == 7  # unchanged


def test_a_bio_of_5000_typed_characters_with_line_breaks_is_accepted(client, trainer):
    typed = ("x" * 99 + "\n") * 50  # 5,000 characters as typed
    sent = typed.replace("\n", "\r\n")  # 5,050 as a browser sends them
    response = client.post("/trainer/profile/", {**PROFILE, "bio": sent})
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.bio == typed.strip()
