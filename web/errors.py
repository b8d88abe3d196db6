"""The one place where the services' errors become what a page says. The status code is the
API's (core.api.domain_error_status); a few messages are worded for a page instead."""

from django.core.exceptions import ValidationError

from core import errors
from core.api import domain_error_status
from core.ratelimit import RateLimited

UNREACHABLE = "We could not reach the payment service. Please try again in a moment."
SLOT_TAKEN = "Sorry, someone has just booked that time. Please pick another."

# Errors whose message a page words differently from the API's.
_PAGE_WORDING = {errors.PaymentServiceError: UNREACHABLE, errors.SlotTaken: SLOT_TAKEN}

PAGE_ERRORS = (ValidationError, errors.DomainError, RateLimited)


def page_error(exc: Exception) -> tuple[str, int]:
    """(message, status) for an error in PAGE_ERRORS; anything else is a bug and propagates."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages), 400
    if isinstance(exc, RateLimited):
        return str(exc.detail), 429
    if isinstance(exc, errors.DomainError):
        wording = next((w for cls, w in _PAGE_WORDING.items() if isinstance(exc, cls)), None)
        return wording or exc.message, domain_error_status(exc)
    raise exc
