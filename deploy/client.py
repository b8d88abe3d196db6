"""A tiny JSON-over-HTTP client and Stripe-signed events, for tests and checks against a Stack."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    body: dict | list | str
    headers: dict = field(default_factory=dict)


def call(method: str, url: str, body=None, *, token: str | None = None, headers=None,
         data: bytes | None = None, timeout: float = 30) -> Answer:  # fmt: skip
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as e:
        status, raw, answer_headers = e.code, e.read(), e.headers
    text = raw.decode(errors="replace")
    try:
        parsed = json.loads(text) if text else ""
    except ValueError:
        parsed = text
    return Answer(status, parsed, dict(answer_headers))


def login(base: str, email: str, password: str) -> str:
    answer = call("POST", f"{base}/api/v1/auth/token/", {"email": email, "password": password})
    assert answer.status == 200, answer
    return answer.body["access"]


def stripe(stripe_url: str, method: str, path: str, params: dict | None = None,
           key: str = "sk_test_stack") -> Answer:  # fmt: skip
    """Call the Stripe emulator as Stripe.js or the Dashboard would (form-encoded)."""
    data = urllib.parse.urlencode(params or {}).encode() if method == "POST" else None
    return call(
        method,
        f"{stripe_url}{path}",
        data=data,
        headers={"Authorization": f"Bearer {key}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip


def signed_event(type_: str, obj: dict, secret: str, event_id: str) -> tuple[bytes, str]:
    """(body, Stripe-Signature header) of an event as Stripe would deliver it."""
    body = json.dumps(
        {"id": event_id, "object": "event", "api_version": "2026-10-28.endive",
         "created": int(time.time()), "livemode": False, "type": type_,
         "data": {"object": obj}}
    ).encode()  # fmt: skip
    t = int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={mac}"
