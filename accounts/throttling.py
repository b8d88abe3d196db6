"""Throttle repeated failed logins per (email, client IP), counted in the cache.

Only failures count, so a user who logs in correctly is never slowed down; after
LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW_SECONDS the token endpoint answers 429
with Retry-After until the window ends.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()
    return f"login-failures:{digest}"


def retry_after(email: str, ip: str) -> int | None:
    """Seconds until this (email, ip) may try again, or None when it is not blocked."""
    entry = cache.get(_key(email, ip))
    if not entry or entry["count"] < settings.LOGIN_FAILURE_LIMIT:
        return None
    remaining = int(entry["since"] + settings.LOGIN_FAILURE_WINDOW_SECONDS - time.time())
    return max(remaining, 1)


def record_failure(email: str, ip: str) -> None:
    key = _key(email, ip)
    entry = cache.get(key) or {"count": 0, "since": time.time()}
    entry["count"] += 1
    cache.set(key, entry, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear(email: str, ip: str) -> None:
    cache.delete(_key(email, ip))
