import pytest
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.tests.conftest import URL, at, iso
from core.tests.concurrency import run_concurrently
from core.tests.factories import ClientFactory, TrainerProfileFactory

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_it_never_double_books_under_parallel_requests():
    trainer = TrainerProfileFactory()
    clients = [ClientFactory() for _ in range(THREADS)]
    start = at(days=5, hour=10)

    def attempt(i):
        api = APIClient()
        api.force_authenticate(clients[i])
        # Overlapping but not identical slots: the check must be an overlap, not an equality.
        body = {
            "trainer_id": trainer.pk,
            "start_time": iso(at(days=5, hour=10, minute=15 * (i % 3))),
            "duration_minutes": 60,
        }
        return api.post(URL, body, format="json").status_code

    statuses = run_concurrently(attempt, THREADS)

    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    booking = Booking.objects.get()
    assert booking.trainer == trainer
    assert booking.start_time >= start
