import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.tests.conftest import URL, at, iso
from core.tests.factories import ClientFactory, TrainerProfileFactory

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_it_never_double_books_under_parallel_requests():
    trainer = TrainerProfileFactory()
    clients = [ClientFactory() for _ in range(THREADS)]
    start = at(days=5, hour=10)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def attempt(user, minute_offset):
        api = APIClient()
        api.force_authenticate(user)
        # Overlapping but not identical slots: the check must be an overlap, not an equality.
        body = {
            "trainer_id": trainer.pk,
            "start_time": iso(at(days=5, hour=10, minute=minute_offset)),
            "duration_minutes": 60,
        }
        try:
            barrier.wait(timeout=30)
            statuses.append(api.post(URL, body, format="json").status_code)
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(user, 15 * (i % 3)))
        for i, user in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    booking = Booking.objects.get()
    assert booking.trainer == trainer
    assert booking.start_time >= start
