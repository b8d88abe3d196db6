"""Who is looking: the viewer's time zone and safe addresses to send them back to.

A signed-in viewer's zone is the one on their account. A visitor's comes from the `tz` cookie
that web/static/web/timezone.js writes on every page (the browser's own IANA zone); until it
is there (the very first page, or no JavaScript) there is none, and times read on the trainer's
clock, labelled with its zone.
"""

from urllib.parse import urlsplit

from core.times import is_known_zone

TZ_COOKIE = "tz"


def viewer_zone(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.timezone or "UTC"
    name = request.COOKIES.get(TZ_COOKIE, "")
    return name if is_known_zone(name) else None


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site ("/trainers/3/confirm/?start=..."), else "".

    Only a relative path is accepted: no scheme, no host, no "//host" or "/\\host" (browsers
    read both as another site), no control characters, so a crafted link to the login page
    can never send someone elsewhere after they log in.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return ""
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in target):
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return ""
    return target
