"""A trainer in New York uploads a photo, edits the week (two windows on a day, a mistake shown
and fixed) with a date of extra hours, replies to a review, and finds their calendar link; at
1280 and 375 px."""

import datetime as dt
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from core.tests.factories import PASSWORD, TrainerProfileFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, completed_session
from trainers.availability import trainer_tz
from trainers.models import AvailabilityOverride
from web.tests.axe import assert_accessible
from web.tests.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serve_media(page) -> None:
    """The live server serves no uploads (DEBUG is off); the browser reads them from disk."""

    def fulfil(route):
        relative = urlparse(route.request.url).path.removeprefix(django_settings.MEDIA_URL)
        route.fulfill(path=str(Path(django_settings.MEDIA_ROOT) / relative))

    page.route(f"**{django_settings.MEDIA_URL}**", fulfil)


def assert_fits_a_phone(page) -> None:
    """No serious or critical axe violation, and no page wider than a phone."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_trainer_sets_up_photo_week_dates_and_replies_to_a_review(web, tmp_path):
    new_page, base = web
    trainer = TrainerProfileFactory(
        all_week=False, timezone="America/New_York", user__first_name="Rui"
    )
    review = ReviewFactory(
        booking=completed_session(trainer=trainer), rating=4, comment="Clear plan, tough hills."
    )
    photo = tmp_path / "me.png"
    Image.new("RGB", (800, 600), "#0f766e").save(photo)

    page = new_page()
    serve_media(page)
    log_in(page, base, trainer.user.email, PASSWORD)

    # The photo.
    page.goto(f"{base}/trainer/profile/")
    page.get_by_label("New photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_role("status")).to_contain_text("Your new photo is saved.")
    trainer.refresh_from_db()
    assert trainer.photo
    expect(page.get_by_role("img", name="Your photo")).to_have_attribute("src", trainer.photo.url)
    # The stored file itself, once the browser has loaded it: 512 px square.
    loaded = page.wait_for_function(
        "() => { const img = document.querySelector('img.avatar');"
        " return img.complete && img.naturalWidth && [img.naturalWidth, img.naturalHeight]; }"
    )
    assert loaded.json_value() == [512, 512]
    screenshot(page, "trainer-profile")
    assert_fits_a_phone(page)

    # The week: Monday 09:00-12:00 and 14:00-17:00, a backwards Tuesday refused, then fixed.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/trainer/availability/")
    expect(page.get_by_text("America/New_York").first).to_be_visible()
    page.get_by_label("Monday, window 1, from").fill("09:00")
    page.get_by_label("Monday, window 1, to").fill("12:00")
    page.evaluate("window.stillThisPage = true")
    page.get_by_role("button", name="Add a window on Monday").click()
    page.get_by_role("button", name="Add a window on Monday").click()
    page.get_by_label("Monday, window 3, from").fill("20:00")
    page.get_by_role("button", name="Remove Monday window 3").click()
    expect(page.get_by_label("Monday, window 3, from")).to_have_count(0)
    # The script added and removed the rows: the page was not loaded again.
    assert page.evaluate("window.stillThisPage") is True
    page.get_by_label("Monday, window 2, from").fill("14:00")
    page.get_by_label("Monday, window 2, to").fill("17:00")
    page.get_by_label("Tuesday, window 1, from").fill("10:00")
    page.get_by_label("Tuesday, window 1, to").fill("09:00")
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_text("End must be after start.")).to_be_visible()
    expect(page.get_by_label("Tuesday, window 1, to")).to_have_attribute("aria-invalid", "true")
    assert not trainer.availability.exists()
    screenshot(page, "trainer-week-errors")
    assert_accessible(page, "the week with an error")
    page.get_by_label("Tuesday, window 1, to").fill("11:00")
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_role("status")).to_contain_text("availability is saved")
    assert list(trainer.availability.values_list("weekday", "start_time", "end_time")) == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(14), dt.time(17)),
        (1, dt.time(10), dt.time(11)),
    ]

    # A date of extra hours, on the trainer's own calendar.
    day = timezone.now().astimezone(trainer_tz(trainer)).date() + dt.timedelta(days=10)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Extra hours on that day").check()
    page.get_by_label("Extra hours from").fill("18:00")
    page.get_by_label("Extra hours to").fill("20:00")
    page.get_by_role("button", name="Change this date").click()
    expect(page.get_by_role("status")).to_contain_text("now differs from your week")
    expect(page.get_by_text("extra hours 18:00\u201320:00")).to_be_visible()
    override = AvailabilityOverride.objects.get(trainer=trainer)
    assert (override.date, override.start_time, override.end_time) == (
        day,
        dt.time(18),
        dt.time(20),
    )
    screenshot(page, "trainer-week")
    assert_fits_a_phone(page)

    # The review, answered once.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Trainer area").get_by_role("link", name="Reviews").click()
    expect(page.get_by_text("Clear plan, tough hills.")).to_be_visible()
    page.get_by_label("Your reply").fill("Thanks! Hills again next week.")
    page.get_by_role("button", name="Publish reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is published.")
    expect(page.get_by_text("Thanks! Hills again next week.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish reply")).to_have_count(0)
    assert Review.objects.get(pk=review.pk).reply == "Thanks! Hills again next week."
    screenshot(page, "trainer-reviews")
    assert_fits_a_phone(page)

    # The calendar link, made, then revoked by making a new one.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/trainer/calendar/")
    page.get_by_role("button", name="Make my calendar link").click()
    first = page.get_by_label("Your private calendar link").input_value()
    assert page.request.get(first).status == 200
    page.get_by_role("button", name="Revoke and make a new link").click()
    expect(page.get_by_role("status").first).to_contain_text("the old one no longer works")
    second = page.get_by_label("Your private calendar link").input_value()
    assert second != first
    assert page.request.get(first).status == 404
    assert page.request.get(second).status == 200
    screenshot(page, "trainer-calendar")
    assert_fits_a_phone(page)

    page.goto(f"{base}/trainer/")
    assert_fits_a_phone(page)
    assert page.errors == []
