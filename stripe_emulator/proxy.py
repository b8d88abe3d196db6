"""What localstripe answers, passed through, with the few changes that make it closer to Stripe:
`transfer_group` on PaymentIntents (localstripe refuses the parameter), 3-D Secure asked once for
a card that was authenticated when it was set up, webhook registration and data reset of both,
and the platform's events listed with localstripe's."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

from aiohttp import web

from stripe_emulator import objects
from stripe_emulator.errors import StripeError
from stripe_emulator.params import nested
from stripe_emulator.state import EMULATOR, Webhook

# Stripe's test cards that ask for 3-D Secure on a one-time payment but not again for payments
# with the card once a SetupIntent authenticated it. 4000002760003184 asks every time.
AUTHENTICATED_ONCE_CARDS = {"4000002500003155"}
# localstripe sleeps 1 s before it delivers an event; with a margin for a loaded machine.
LOCALSTRIPE_DELIVERY_DELAY = 1.5
PAGING = {"limit", "starting_after", "ending_before"}
HOP_BY_HOP = {
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "content-encoding",
    "accept-encoding",
    "date",
    "server",
}


async def forward(request: web.Request, raw: bytes, *, body: bytes | None = None) -> web.Response:
    emu = request.app[EMULATOR]
    status, headers, content = await emu.localstripe(
        request.method, request.path_qs, dict(request.headers), raw if body is None else body
    )
    return web.Response(body=content, status=status, headers=headers)


def _json_answer(status: int, headers: dict, content: bytes) -> web.Response:
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return web.Response(
        body=content, status=status, headers=headers, content_type="application/json"
    )


def _groups(emu, body: dict) -> dict:
    """Stripe's transfer_group on each PaymentIntent and Charge in the answer."""
    items = body.get("data", []) if body.get("object") == "list" else [body]
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("object") == "payment_intent":
            group = emu.store.transfer_groups.get(item.get("id"))
            item["transfer_group"] = group
            if isinstance(item.get("latest_charge"), dict):
                item["latest_charge"]["transfer_group"] = group
        elif item.get("object") == "charge":
            item["transfer_group"] = emu.store.transfer_groups.get(item.get("payment_intent"))
    return body


def _for_localstripe(raw: bytes) -> tuple[bytes, str | None]:
    """The form as localstripe takes it, and the transfer_group taken out of it. The API
    version we pin names the card-only list `allowed_payment_method_types`; localstripe knows
    only the older `payment_method_types`."""
    pairs = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
    group = next((v for k, v in pairs if k == "transfer_group"), None)
    kept = [
        (k.replace("allowed_payment_method_types", "payment_method_types", 1), v)
        for k, v in pairs
        if k != "transfer_group"
    ]
    return urllib.parse.urlencode(kept).encode(), group


async def _authenticated_once(emu, request, body: dict) -> dict:
    """A saved card authenticated when it was set up: Stripe does not ask again."""
    method = body.get("payment_method")
    method = method.get("id") if isinstance(method, dict) else method
    if body.get("status") != "requires_action" or method not in emu.store.authenticated_once:
        return body
    form = urllib.parse.urlencode({"client_secret": body["client_secret"], "success": "true"})
    status, _, content = await emu.localstripe(
        "POST",
        f"/v1/payment_intents/{body['id']}/_authenticate",
        {
            "Authorization": request.headers.get("Authorization", ""),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        form.encode(),
    )
    answer = json.loads(content)
    if status != 200:
        raise StripeError(status, answer.get("error", {}).get("message", "Authentication failed"))
    return answer


async def payment_intent(request: web.Request) -> web.Response:
    """Create, update, confirm, retrieve or list PaymentIntents (and charges, SetupIntents)
    through localstripe, keeping transfer_group here."""
    emu = request.app[EMULATOR]
    raw = await request.read()
    body, group = raw, None
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        body, group = _for_localstripe(raw)
    status, headers, content = await emu.localstripe(
        request.method, request.path_qs, dict(request.headers), body
    )
    if status != 200:
        return web.Response(body=content, status=status, headers=headers)
    answer = json.loads(content)
    if group is not None and answer.get("object") == "payment_intent":
        emu.store.transfer_groups[answer["id"]] = group or None
    if request.method == "POST" and answer.get("object") == "payment_intent":
        try:
            answer = await _authenticated_once(emu, request, answer)
        except StripeError as e:
            return e.response()
    return _json_answer(status, headers, json.dumps(_groups(emu, answer)).encode())


async def setup_intent_confirm(request: web.Request) -> web.Response:
    """Remember the card a SetupIntent is confirmed with, and whether 3-D Secure completed."""
    emu = request.app[EMULATOR]
    raw = await request.read()
    seti = request.match_info["id"]
    try:
        sent = json.loads(raw or b"{}")
    except ValueError:
        sent = nested(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
    number = ((sent.get("payment_method_data") or {}).get("card") or {}).get("number")
    if number:
        emu.store.setup_cards[seti] = str(number).replace(" ", "")
    status, headers, content = await emu.localstripe(
        "POST", request.path_qs, dict(request.headers), raw
    )
    if status == 200:
        answer = json.loads(content)
        if answer.get("status") == "requires_action":
            emu.store.setup_challenged.add(seti)
        elif (
            answer.get("status") == "succeeded"
            and seti in emu.store.setup_challenged
            and emu.store.setup_cards.get(seti) in AUTHENTICATED_ONCE_CARDS
        ):
            emu.store.authenticated_once.add(answer.get("payment_method"))
    return web.Response(body=content, status=status, headers=headers)


async def config_webhook(request: web.Request) -> web.Response:
    """`POST /_config/webhooks/<id>` {url, secret, events?, connect?}: connect endpoints get the
    connected accounts' events; the others the platform's, from us and from localstripe."""
    emu = request.app[EMULATOR]
    raw = await request.read()
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        data = {}
    url, secret, events = data.get("url"), data.get("secret"), data.get("events")
    if not isinstance(url, str) or not url.startswith("http") or not isinstance(secret, str):
        return StripeError(400, "url (http...) and secret are required").response()
    if events is not None and not isinstance(events, list):
        return StripeError(400, "events must be a list").response()
    hook_id = request.match_info["id"]
    connect = data.get("connect") is True
    emu.store.webhooks[hook_id] = Webhook(url, secret, events, connect)
    if not connect:
        plain = json.dumps({"url": url, "secret": secret, "events": events}).encode()
        if events is None:
            plain = json.dumps({"url": url, "secret": secret}).encode()
        return await forward(request, raw, body=plain)
    return web.Response()


async def reset(request: web.Request) -> web.Response:
    request.app[EMULATOR].store.reset()
    return await forward(request, await request.read())


async def settle(request: web.Request) -> web.Response:
    """`POST /_config/settle`: answers once every webhook delivery in flight has been answered,
    ours and localstripe's (it sends each event LOCALSTRIPE_DELIVERY_DELAY after making it, to
    the endpoints registered then). Tests switch their endpoints off and call it before their
    database goes, so no delivery lands in the next test's."""
    emu = request.app[EMULATOR]
    wait = emu.localstripe_written + LOCALSTRIPE_DELIVERY_DELAY - time.monotonic()
    if wait > 0:
        await asyncio.sleep(min(wait, 8))
    in_flight = await emu.events.settle(timeout=8)
    return web.json_response({"settled": in_flight})


async def list_events(request: web.Request) -> web.Response:
    """A connected account's events (Stripe-Account), or the platform's: localstripe's, with
    ours merged into the first page."""
    emu = request.app[EMULATOR]
    params = nested(request.query.items())
    account = request.headers.get("Stripe-Account")

    def matches(event):
        created = params.get("created")
        if isinstance(created, dict):
            bounds = {k: int(v) for k, v in created.items()}
            ok = all(
                {
                    "gt": event["created"] > v,
                    "gte": event["created"] >= v,
                    "lt": event["created"] < v,
                    "lte": event["created"] <= v,
                }.get(k, True)
                for k, v in bounds.items()
            )
            if not ok:
                return False
        return params.get("type") in (None, event["type"]) and event.get("account") == account

    ours = [e for e in emu.store.events if matches(e)]
    if account:
        return web.json_response(objects.page(ours, "/v1/events", params))
    theirs = []
    query = [(k, v) for k, v in request.query.items() if k not in PAGING]
    after = None
    while True:  # every page of localstripe's, so that ours and theirs page as one list
        paging = [("limit", "100")] + ([("starting_after", after)] if after else [])
        path = "/v1/events?" + urllib.parse.urlencode(query + paging)
        status, headers, content = await emu.localstripe("GET", path, dict(request.headers), b"")
        if status != 200:
            return web.Response(body=content, status=status, headers=headers)
        answer = json.loads(content)
        theirs += answer["data"]
        if not answer.get("has_more") or not answer["data"]:
            break
        after = answer["data"][-1]["id"]
    return web.json_response(objects.page(theirs + ours, "/v1/events", params))


async def retrieve_event(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR]
    for event in emu.store.events:
        if event["id"] == request.match_info["id"]:
            return web.json_response(event)
    return await forward(request, b"")
