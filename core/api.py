"""One error shape for the whole API: {"error": "<message>"} plus "fields" for validation; the
one place where the services' errors (core.errors, Django's ValidationError) become status codes."""

import logging
import sys

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core import errors
from ops.outages import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger(__name__)


# The one place domain errors (core.errors) become status codes.
DOMAIN_ERROR_STATUS = {
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.PaymentDeclined: status.HTTP_402_PAYMENT_REQUIRED,
    errors.PaymentServiceError: status.HTTP_502_BAD_GATEWAY,
}


def domain_error_status(exc: errors.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_ERROR_STATUS:
            return DOMAIN_ERROR_STATUS[cls]
    return status.HTTP_400_BAD_REQUEST


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx/5xx answer, for the OpenAPI schema (see config.schema)."""

    error = serializers.CharField(help_text="One message, safe to show.")
    fields = serializers.DictField(
        required=False, help_text="Validation errors per field (400 only): field -> messages."
    )


def _first_message(detail) -> str:
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key in ("non_field_errors", "detail") else f"{key}: {message}"
        return "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, errors.DomainError):
        set_rollback()  # as DRF does for its own errors, should ATOMIC_REQUESTS be turned on
        return Response({"error": exc.message}, status=domain_error_status(exc))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    # DRF turns these into APIExceptions only inside its own handler; convert first so the body
    # below can read `.detail` (get_object_or_404 in a view raises Http404).
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's handler500 answers (JSON) and logs it
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"error": _first_message(detail), "fields": detail}
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        body = {"error": "Authentication credentials were not provided or are invalid."}
        if isinstance(exc, exceptions.AuthenticationFailed):
            body["error"] = _first_message(exc.detail)
    else:
        body = {"error": _first_message(exc.detail)}
    response.data = body
    return response


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def json_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": "Not found."}, status=404)
    return page_not_found(request, exception)


def json_500(request):
    # Django calls this inside its `except`, so the exception is at hand: a dependency outage
    # (database or Redis down) is a 503 the client may retry, not a bug.
    if is_outage(sys.exc_info()[1]):
        message = "Temporarily unavailable, please try again in a moment."
        if _wants_json(request):
            response = JsonResponse({"error": message}, status=503)
        else:
            response = HttpResponse(
                f"<!doctype html><title>Unavailable</title><h1>{message}</h1>", status=503
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _wants_json(request):
        return JsonResponse({"error": "Internal server error."}, status=500)
    return server_error(request)


__all__ = ["ErrorSerializer", "Http404", "PermissionDenied", "Response", "exception_handler"]
