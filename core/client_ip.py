"""The client's address: the connecting one, or the one the trusted proxy in front reports.

Login throttling and rate limits count per address. Behind a proxy every connection comes from
the proxy, so without CLIENT_IP_HEADER every client would share one count (and anyone could
lock anyone out); trusting a header the client wrote would let each request pick a fresh address.
"""

import ipaddress

from django.conf import settings

# Used when no address can be read at all (e.g. a server bound to a Unix socket without a proxy
# header): such clients share one count rather than escaping counting.
UNKNOWN = "0.0.0.0"  # noqa: S104 (an address to count by, not one to bind to)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """CLIENT_IP_HEADER unset: the connecting address. Set (the app is reachable only through
    proxies that write it): the TRUSTED_PROXY_COUNT-th address from the right of that header.
    Each proxy appends the address it saw, so the right-most entries are our proxies' own
    observations and everything further left is whatever the client sent."""
    meta = request.META
    header = settings.CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        entries = [e for e in meta.get(key, "").split(",") if e.strip()]
        count = settings.TRUSTED_PROXY_COUNT
        if len(entries) >= count:
            address = _valid(entries[-count])
            if address:
                return address
    return _valid(meta.get("REMOTE_ADDR", "")) or UNKNOWN
