"""The directory: cards with photo or initials, headline, specialties, languages, price, rating
and next free time; sorted and filtered by query strings that are checked like any form."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory
from reviews.tests.factories import ReviewFactory, completed_session
from trainers.models import AvailabilityWindow

pytestmark = pytest.mark.django_db


def names(html: str) -> list[str]:
    return re.findall(r'<h2 class="h3"><a href="/trainers/\d+/">([^<]+)</a>', html)


def test_a_card_shows_face_headline_tags_languages_price_rating_and_next_free_time(client):
    trainer = TrainerProfileFactory(
        user__first_name="Ada",
        user__last_name="Lovelace",
        headline="Strength for beginners",
        specialties=["strength", "mobility"],
        languages=["en", "fr"],
        hourly_rate=8050,
    )
    for rating in (5, 4, 4):
        ReviewFactory(booking=completed_session(trainer=trainer), rating=rating)
    html = client.get("/trainers/").content.decode()
    assert "Ada Lovelace" in html and "Strength for beginners" in html
    assert "Strength training" in html and "Mobility and stretching" in html
    assert "Speaks English, French" in html
    assert "80.50 USD" in html
    assert "4.33" in html and "(3 reviews)" in html
    assert "data:image/svg+xml" in html  # the initials avatar until a photo is uploaded
    assert "Next free: <strong>" in html


def test_a_card_shows_the_uploaded_photo(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    trainer = TrainerProfileFactory()
    trainer.photo.save("face.jpg", ContentFile(b"\xff\xd8jpeg"), save=True)
    html = client.get("/trainers/").content.decode()
    assert f'src="{trainer.photo.url}"' in html


def test_it_sorts_by_rating_price_and_soonest_availability(client):
    TrainerProfileFactory(user__first_name="Cheap", hourly_rate=4000, all_week=False)
    dear = TrainerProfileFactory(user__first_name="Dear", hourly_rate=12000)
    mid = TrainerProfileFactory(user__first_name="Mid", hourly_rate=8000, all_week=False)
    ReviewFactory(booking=completed_session(trainer=mid), rating=5)
    ReviewFactory(booking=completed_session(trainer=dear), rating=3)
    # Mid is free from the day after tomorrow only; Cheap never: soonest is Dear, Mid, Cheap.
    later = (timezone.now() + dt.timedelta(days=2)).weekday()
    AvailabilityWindow.objects.create(
        trainer=mid, weekday=later, start_time=dt.time(9), end_time=dt.time(17)
    )

    def order(sort):
        response = client.get("/trainers/", {"sort": sort})
        assert response.status_code == 200
        return names(response.content.decode())

    assert [n.split()[0] for n in order("rating")] == ["Mid", "Dear", "Cheap"]
    assert [n.split()[0] for n in order("price")] == ["Cheap", "Mid", "Dear"]
    assert [n.split()[0] for n in order("-price")] == ["Dear", "Mid", "Cheap"]
    assert [n.split()[0] for n in order("soonest")] == ["Dear", "Mid", "Cheap"]


def test_it_filters_by_specialty_price_range_and_day(client):
    TrainerProfileFactory(user__first_name="Yogi", specialties=["yoga"], hourly_rate=5000)
    TrainerProfileFactory(user__first_name="Lifter", specialties=["strength"], hourly_rate=9000)
    closed = TrainerProfileFactory(user__first_name="Weekday", all_week=False)
    day = timezone.now().date() + dt.timedelta(days=3)
    AvailabilityWindow.objects.create(
        trainer=closed,
        weekday=(day.weekday() + 1) % 7,
        start_time=dt.time(9),
        end_time=dt.time(17),
    )

    def found(**params):
        response = client.get("/trainers/", params)
        assert response.status_code == 200, params
        return {n.split()[0] for n in names(response.content.decode())}

    assert found(specialty="yoga") == {"Yogi"}
    assert found(min_rate="60", max_rate="95") == {"Lifter", "Weekday"}
    assert found(max_rate="60") == {"Yogi"}
    assert found(day=f"{day:%Y-%m-%d}") == {"Yogi", "Lifter"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_rate": "cheap"}, "Enter a price such as 80 or 80.00."),
        ({"min_rate": "-5"}, "Enter a price greater than zero."),
        ({"min_rate": "90", "max_rate": "50"}, "The maximum price is below the minimum."),
        ({"specialty": "juggling"}, "Select a valid choice."),
        ({"sort": "random()"}, "Select a valid choice."),
        ({"day": "tomorrow"}, "Enter a valid date."),
        ({"day": "1999-01-01"}, "Pick a day within the next"),
        ({"q": "x" * 101}, "at most 100 characters"),
        ({"min_rate": "1e999999"}, "Enter a price greater than zero."),
    ],
)
def test_it_answers_400_with_a_message_to_bad_query_strings(client, params, message):
    TrainerProfileFactory()
    response = client.get("/trainers/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "No trainer matches yet: please correct the filters above." in response.content.decode()


def test_a_bad_page_number_shows_a_page_of_cards(client):
    TrainerProfileFactory(user__first_name="Only")
    for page in ("0", "999", "x"):
        response = client.get("/trainers/", {"page": page})
        assert response.status_code == 200
        assert "Only" in response.content.decode()


def test_an_empty_directory_says_so(client):
    html = client.get("/trainers/", {"specialty": "yoga"}).content.decode()
    assert "No trainer matches these filters." in html


def test_the_home_page_features_top_rated_trainers_and_a_search(client):
    best = TrainerProfileFactory(user__first_name="Best")
    TrainerProfileFactory(user__first_name="Unrated")
    ReviewFactory(booking=completed_session(trainer=best), rating=5)
    html = client.get("/").content.decode()
    assert names(html)[0].startswith("Best")
    assert 'action="/trainers/"' in html and 'name="q"' in html


def test_the_home_page_without_trainers_says_so(client):
    assert "No trainer is taking bookings yet." in client.get("/").content.decode()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/", "/trainers/", "/trainers/?sort=soonest", "/trainers/?sort=rating&min_rate=10"]
)
def test_the_directory_costs_the_same_queries_for_one_trainer_as_for_many(client, url):
    first = TrainerProfileFactory(languages=["en"])
    ReviewFactory(booking=completed_session(trainer=first))
    few = count_queries(client, url)
    for _ in range(6):
        trainer = TrainerProfileFactory(languages=["en", "es"], specialties=["yoga"])
        ReviewFactory(booking=completed_session(trainer=trainer), rating=4)
    assert count_queries(client, url) == few


def test_a_trainers_page_costs_the_same_queries_with_one_review_as_with_many(client):
    trainer = TrainerProfileFactory()
    ReviewFactory(booking=completed_session(trainer=trainer))
    few = count_queries(client, f"/trainers/{trainer.pk}/")
    for rating in (1, 2, 3, 4, 5, 5):
        ReviewFactory(booking=completed_session(trainer=trainer), rating=rating, comment="Fine")
    html = client.get(f"/trainers/{trainer.pk}/").content.decode()
    assert html.count('class="card review"') == 7
    assert count_queries(client, f"/trainers/{trainer.pk}/") == few


def test_hidden_reviews_are_not_shown_nor_counted(client):
    trainer = TrainerProfileFactory()
    ReviewFactory(booking=completed_session(trainer=trainer), rating=5, comment="Shown")
    ReviewFactory(
        booking=completed_session(trainer=trainer),
        rating=1,
        comment="Abusive words",
        hidden_at=timezone.now(),
        hidden_reason="abuse",
    )
    for url in ("/trainers/", f"/trainers/{trainer.pk}/"):
        html = client.get(url).content.decode()
        assert "Abusive words" not in html
        assert "5.00" in html and "(1 review)" in html
