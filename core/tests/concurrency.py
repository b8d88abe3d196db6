"""Firing requests at the same moment from real threads, for the race tests."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_concurrently(fn: Callable[[int], T], times: int) -> list[T]:
    """Call fn(0) .. fn(times - 1), each in its own thread, released together by a barrier.

    Each thread has its own database connection (closed at the end, so the test database can
    be dropped), which is what makes these real races on PostgreSQL and on SQLite. Returns the
    results in completion order; an exception in any thread is raised here.
    """
    barrier = threading.Barrier(times)
    results: list[T] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(fn(index))
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    assert len(results) == times, "a thread did not finish"
    return results
