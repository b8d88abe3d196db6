import pytest

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory, bookable, future

pytestmark = pytest.mark.django_db


def test_it_lists_trainers_filtered_by_specialty_and_price(client):
    TrainerProfileFactory(specialties=["yoga"], hourly_rate=5000, user__first_name="Yogi")
    TrainerProfileFactory(specialties=["strength"], hourly_rate=9000, user__first_name="Lifter")
    page = client.get("/trainers/", {"specialty": "yoga", "max_rate": "60"}).content.decode()
    assert "Yogi" in page and "Lifter" not in page


def test_it_answers_400_to_a_bad_price_filter(client):
    assert client.get("/trainers/", {"max_rate": "cheap"}).status_code == 400


def test_it_shows_visitors_real_free_times_and_answers_400_to_a_bad_week(client):
    trainer = TrainerProfileFactory()
    week = future(72).date()
    response = client.get(f"/trainers/{trainer.pk}/", {"week": f"{week:%Y-%m-%d}"})
    assert response.status_code == 200
    assert f"/trainers/{trainer.pk}/confirm/?start=".encode() in response.content
    assert b'class="slot"' in response.content
    for bad in ({"week": "someday"}, {"duration": "7"}, {"week": "2999-01-01"}):
        response = client.get(f"/trainers/{trainer.pk}/", bad)
        assert response.status_code == 400, bad
        assert b'role="alert"' in response.content


def test_it_answers_404_for_an_unknown_trainer(client):
    assert client.get("/trainers/999999/").status_code == 404


def test_it_books_the_picked_slot_at_the_trainers_price(client):
    trainer = TrainerProfileFactory()
    user = ClientFactory()
    client.force_login(user)
    start = bookable(72)
    response = client.post(
        f"/trainers/{trainer.pk}/book/",
        {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": "90", "price": "1"},
    )
    booking = Booking.objects.get(client=user)
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{booking.pk}/pay/"
    assert (booking.start_time, booking.price) == (start, 11250)


def test_it_refuses_bad_or_taken_times_without_booking(client):
    trainer = TrainerProfileFactory()
    client.force_login(ClientFactory())
    url = f"/trainers/{trainer.pk}/book/"
    assert client.post(url, {"start": "tomorrow", "duration": "60"}).status_code == 400
    soon = future(0.5).strftime("%Y-%m-%dT%H:%M:%SZ")  # inside the minimum notice
    assert client.post(url, {"start": soon, "duration": "60"}).status_code == 400
    start = bookable(72).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.post(url, {"start": start, "duration": "60"}).status_code == 302
    client.force_login(ClientFactory())
    assert client.post(url, {"start": start, "duration": "60"}).status_code == 409
    assert Booking.objects.count() == 1


def test_it_does_not_let_a_trainer_book(client):
    trainer = TrainerProfileFactory()
    client.force_login(TrainerProfileFactory().user)
    start = future(72).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.post(f"/trainers/{trainer.pk}/book/", {"start": start, "duration": "60"})
    assert response.status_code == 400
    assert not Booking.objects.exists()
