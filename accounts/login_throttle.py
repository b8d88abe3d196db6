"""One login throttle for every way in (the admin, the web login, the API's token endpoint),
built on django-axes: every `authenticate()` passes AxesBackend first, so no login form can skip it.

Counts are kept per (canonical email, client address) in axes' AccessAttempt table, which every
app process shares. Axes itself checks the count before the password and adds a failure after, so
parallel guesses all pass the check before any is counted (60 parallel wrong passwords were all
checked against a limit of 5). Here each attempt is counted first, under a row lock, and then
compared with the limit: at most LOGIN_FAILURE_LIMIT passwords are ever checked per window. A
correct password clears the count.
"""

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import router, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User, canonical_email
from core.ratelimit import wait_words


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def window(request) -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def attempted_email(request, credentials) -> str:
    """The canonical email of a login attempt, whichever form sent it: the admin's form says
    `username`, ours and the API say `email`."""
    if credentials:
        value = credentials.get("email") or credentials.get("username") or ""
    else:
        data = getattr(request, "data", None) or request.POST
        value = data.get("email") or data.get("username") or ""
    return canonical_email(str(value))[:255]


def _http_request(request):
    """Django's request under DRF's wrapper, where the lockout flag must be set to be seen."""
    return getattr(request, "_request", request)


class CountFirstHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        """Counts this attempt, then says whether it is one too many. Called once per
        `authenticate()`, by AxesBackend, before any password is checked."""
        username = get_client_username(request, credentials)
        now = request.axes_attempt_time
        threshold = now - get_cool_off(request)
        with transaction.atomic(using=router.db_for_write(AccessAttempt)):
            # One row per (email, address): the user agent, which axes also keys by, is the
            # client's to choose and would give each new one a fresh count.
            attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent="",
                defaults={"failures_since_start": 1, "attempt_time": now},
            )
            if not created:
                stale = attempt.attempt_time <= threshold
                attempt.failures_since_start = 1 if stale else attempt.failures_since_start + 1
                attempt.attempt_time = now
                attempt.path_info = request.axes_path_info
                attempt.save(update_fields=["failures_since_start", "attempt_time", "path_info"])
        locked = attempt.failures_since_start > get_failure_limit(request, credentials)
        if locked:
            for flagged in {request, _http_request(request)}:
                flagged.axes_locked_out = True
                flagged.axes_credentials = credentials
        return locked

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Nothing to add: the attempt was counted before its password was checked."""


def retry_after(request, email: str) -> int:
    """Seconds until a locked-out (email, address) may try again (at least 1)."""
    attempt = (
        AccessAttempt.objects.filter(
            username=canonical_email(email)[:255], ip_address=request.axes_ip_address
        )
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return 1
    remaining = attempt.attempt_time + window(request) - timezone.now()
    return max(int(remaining.total_seconds()), 1)


def lockout_message(seconds: int) -> str:
    return f"Too many failed logins. Try again in {wait_words(seconds)}."


def check_password(request, email: str, password: str) -> tuple[User | None, int]:
    """(the user, 0) for a right password; (None, 0) for a wrong one; (None, seconds to wait)
    when the throttle refused to check it. Through authenticate(), so the attempt counts."""
    user = authenticate(request, email=email, password=password)
    if user is None and getattr(_http_request(request), "axes_locked_out", False):
        return None, retry_after(request, email)
    return user, 0


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The admin's answer to a locked-out login (the API and the web login answer their own
    way, with a 429 this passes through)."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = retry_after(request, attempted_email(request, credentials))
    body = render_to_string(
        "web/login_locked.html", {"message": lockout_message(seconds)}, request=request
    )
    return HttpResponse(body, status=429, headers={"Retry-After": str(seconds)})
