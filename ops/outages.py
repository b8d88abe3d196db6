"""Errors that mean a dependency (database, Redis) is down, not that our code is wrong.

A request that meets one answers 503 with Retry-After (core.api.json_500): the client, or Stripe
for a webhook, tries again once the dependency is back, and nothing was half-done because the
failing statement or cache call rolled back or never ran.
"""

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError

OUTAGE_ERRORS = (
    OperationalError,  # the database refused or dropped the connection, or the pool timed out
    InterfaceError,  # a connection that the database closed under us
    redis.exceptions.ConnectionError,  # cache (rate limits) or broker
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,  # the broker, when a task is queued inside a request
)

RETRY_AFTER_SECONDS = 5


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)
