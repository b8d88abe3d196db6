"""Every visitor and client page passes axe-core (no serious or critical violation) and fits a
375 px screen without sideways scrolling, with and without content (the empty states)."""

import pytest

from core.tests.factories import PASSWORD, BookingFactory, ClientFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from reviews.tests.factories import ReviewFactory, completed_session
from web.tests.axe import assert_accessible
from web.tests.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def walk(page, base: str, paths: list[str]) -> None:
    for path in paths:
        for size in (PHONE, {"width": 1280, "height": 900}):
            page.set_viewport_size(size)
            page.goto(base + path)
            assert_accessible(page, f"{path} at {size['width']} px")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{path} is {width} px wide at {size['width']} px"


def some_trainers():
    """Four trainers as a directory shows them: zones, languages, prices, reviews or none."""
    people = [
        (
            "Maya",
            "Okafor",
            "Europe/London",
            6500,
            ["strength", "weight-loss"],
            ["en", "fr"],
            "Strength training that fits a busy week",
            [5, 5, 4],
        ),
        (
            "Kenji",
            "Sato",
            "Asia/Tokyo",
            9000,
            ["yoga", "mobility"],
            ["ja", "en"],
            "Yoga and mobility for desk workers",
            [5, 4],
        ),
        (
            "Sam",
            "Carter",
            "America/New_York",
            12000,
            ["boxing", "hiit"],
            ["en"],
            "Boxing conditioning, beginners welcome",
            [4, 4, 3, 5],
        ),
        (
            "Lucía",
            "Romero",
            "Europe/Madrid",
            5500,
            ["running", "endurance"],
            ["es", "en"],
            "Your first 10k, then your first marathon",
            [],
        ),
    ]
    trainers = []
    for first, last, zone, rate, tags, languages, headline, ratings in people:
        trainer = TrainerProfileFactory(
            user__first_name=first,
            user__last_name=last,
            timezone=zone,
            hourly_rate=rate,
            specialties=tags,
            languages=languages,
            headline=headline,
        )
        for rating in ratings:
            ReviewFactory(booking=completed_session(trainer=trainer), rating=rating)
        trainers.append(trainer)
    return trainers


def test_visitor_pages_with_and_without_trainers(web):
    new_page, base = web
    page = new_page(timezone_id="Europe/Berlin")
    walk(page, base, ["/", "/trainers/", "/trainers/?min_rate=abc", "/login/", "/signup/"])
    trainer = some_trainers()[0]
    for path, name in (("/", "home"), ("/trainers/?sort=rating", "trainers")):
        page.goto(base + path)
        screenshot(page, name)
    walk(
        page,
        base,
        [
            "/",
            "/trainers/",
            f"/trainers/{trainer.pk}/",
            f"/trainers/{trainer.pk}/?week=nonsense",
            f"/trainers/{trainer.pk}/confirm/?start=bad",
            "/password-reset/",
            "/no-such-page/",
        ],
    )
    assert page.errors == []


def test_client_pages_empty_and_full(web):
    new_page, base = web
    client = ClientFactory()
    page = new_page()
    log_in(page, base, client.email, PASSWORD)
    walk(page, base, ["/sessions/", "/account/", "/account/password/"])
    screenshot(page, "my-sessions-empty")
    unpaid = BookingFactory(client=client)
    paid = PaidPaymentFactory(booking__client=client).booking
    walk(
        page,
        base,
        [
            "/sessions/",
            f"/sessions/{unpaid.pk}/",
            f"/sessions/{unpaid.pk}/pay/",
            f"/sessions/{paid.pk}/",
            f"/sessions/{paid.pk}/reschedule/",
            f"/sessions/{paid.pk}/cancel/",
        ],
    )
    assert page.errors == []
