"""Fixtures for the probes' and logs' tests: dependencies that are down."""

import socket

import pytest
from django.test import override_settings


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_cache_down(_fresh_cache):
    # After _fresh_cache, so the cache is back before it clears it.
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }
    with override_settings(CACHES={"default": cache}):
        yield
