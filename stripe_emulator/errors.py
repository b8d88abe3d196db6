"""Errors in Stripe's shape: `{"error": {"type", "message", "param", "code"}}` with Stripe's
status codes, so the SDK raises the same exception classes it raises for Stripe."""

from __future__ import annotations

from aiohttp import web


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status,
            message,
            type,
            code,
            param,
        )

    def body(self) -> dict:
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}

    def response(self) -> web.Response:
        return web.json_response(self.body(), status=self.status)


def missing(resource: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(
        404, f"No such {resource}: '{object_id}'", code="resource_missing", param=param
    )


def unknown_parameters(params: dict, allowed: set[str]) -> None:
    """Stripe refuses any parameter the endpoint does not define."""
    for name in params:
        if name not in allowed:
            raise StripeError(
                400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )


def required(params: dict, *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
