"""Middleware of the pages: the viewer's time zone, and a Content-Security-Policy (only the app
itself and Stripe.js may run or frame).

Every script the pages use is a static file of the app (no inline script, no inline handler), so
`script-src` needs no 'unsafe-inline'. Stripe.js is allowed from the origin of STRIPE_JS_URL: Stripe
in production, the emulator in development, where its card fields also call the emulator's API.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from core.times import zone

# Stripe's documented CSP needs: card frames (js), 3-D Secure frames (hooks), API calls (api).
_REAL_STRIPE = {
    "script": ["https://js.stripe.com"],
    "frame": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect": ["https://api.stripe.com"],
}

# The JSON API and its documentation page (whose viewer uses inline scripts) are not pages of ours.
EXEMPT_PREFIXES = ("/api/",)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _media_origin() -> list[str]:
    parts = urlsplit(settings.MEDIA_URL)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


def content_security_policy() -> str:
    js = _origin(settings.STRIPE_JS_URL)
    if js == "https://js.stripe.com":
        script, frame, connect = (_REAL_STRIPE[k] for k in ("script", "frame", "connect"))
    else:
        script = frame = connect = [js]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script],
        "frame-src": frame,
        "connect-src": ["'self'", *connect],
        # data: for the generated initials avatars; MEDIA_URL's origin when photos are kept in
        # object storage on another host.
        "img-src": ["'self'", "data:", *_media_origin()],
        # Stripe.js sizes its card frame with inline styles.
        "style-src": ["'self'", "'unsafe-inline'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """The policy above on every page (not the JSON API), unless a view set its own.

    Ours rather than django-csp (4.0, the latest): django-csp joins the directives in the order
    of a Python set, so one policy is written in a different order by each process (the hash
    seed changes), and a header can no longer be compared or tested as text; and it reads the
    policy from a fixed setting, where ours follows STRIPE_JS_URL and MEDIA_URL (a subclass
    would be needed for that anyway).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.CSP_ENABLED
            and not request.path.startswith(EXEMPT_PREFIXES)
            and "Content-Security-Policy" not in response
        ):
            response["Content-Security-Policy"] = content_security_policy()
        return response


class ViewerTimezoneMiddleware:
    """Pages show times (a hold's end, a payment's moment) on the signed-in viewer's clock: their
    zone is activated for the request. The API keeps answering in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            with timezone.override(zone(user.timezone)):
                return self.get_response(request)
        return self.get_response(request)
