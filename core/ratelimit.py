"""Rate limits on actions a stranger could repeat to hurt others (sign-ups, bookings, password
reset emails), counted with django-ratelimit in the shared cache.

The counts are fixed windows kept with the cache's atomic add/incr, so parallel requests cannot
all slip in under one reading. When the cache cannot be reached the action is refused (fail
closed) rather than left unlimited.
"""

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.exceptions import ErrorDetail, Throttled

from core.client_ip import client_ip

_PERIOD_WORDS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


class RateLimited(Throttled):
    """429 with Retry-After; the message names the limit that was reached and when to try
    again (DRF's Throttled would append "Expected available in N seconds." to it)."""

    def __init__(self, *, wait: int, detail: str):
        super().__init__(wait=wait)
        self.detail = ErrorDetail(detail, code=self.default_code)


def wait_words(seconds: int) -> str:
    """ "45 seconds", "15 minutes"."""
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"


def rate_limit(request, *, scope: str, rate_setting: str, what: str, key: str = "") -> None:
    """Count this request against settings.<rate_setting> ("10/h") for `key` (by default the
    client's address); raise RateLimited once the limit is spent. `what` names the action in
    the message: "new accounts from your address"."""
    rate = getattr(settings, rate_setting)
    key = key or client_ip(request)
    usage = get_usage(request, group=scope, key=lambda group, req: key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return
    wait = max(usage["time_left"], 1)
    limit, period = rate.split("/")
    raise RateLimited(
        wait=wait,
        detail=f"Too many {what}: at most {limit} per {_PERIOD_WORDS[period[-1]]}. "
        f"Try again in {wait_words(wait)}.",
    )
