"""Answers for the machines that run the app: probes and metrics.

The probes and /metrics are answered here, first in the middleware stack, because the machines
asking for them address the process directly: by its internal IP (not in ALLOWED_HOSTS) and over
plain HTTP (which SECURE_SSL_REDIRECT would redirect), and they must not touch sessions or the
database unless that is what they check.
"""

from django.http import HttpResponse, JsonResponse

from ops import health, metrics


def _json(body: dict, status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request) -> HttpResponse:
    """The process is up and answering; says nothing about its dependencies."""
    return _json({"status": "ok"}, 200)


def readyz(request) -> HttpResponse:
    """200 when every dependency answers, else 503 naming what failed (JSON)."""
    checks = health.readiness()
    failed = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return _json(body, 503 if failed else 200)


ROUTES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics.view}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ROUTES.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
