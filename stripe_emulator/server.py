"""The emulator's HTTP front: the routes it serves itself, everything else passed to localstripe.

    app = build_app("http://127.0.0.1:<localstripe's port>")

Requests are read the way Stripe reads them (form-encoded, `Stripe-Account`, `Stripe-Version`,
`Idempotency-Key`); answers and errors are shaped like Stripe's.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from stripe_emulator import connect, money, pages, proxy, refunds
from stripe_emulator.errors import StripeError
from stripe_emulator.events import Events
from stripe_emulator.objects import public
from stripe_emulator.params import nested
from stripe_emulator.state import EMULATOR, Store

logger = logging.getLogger("stripe_emulator")
SKIPPED_HEADERS = proxy.HOP_BY_HOP


@dataclass
class Call:
    params: dict
    account: str | None  # the Stripe-Account header
    api_version: str | None
    base: str  # how the caller reaches us, for the links we hand out

    @classmethod
    def of(cls, request: web.Request, raw: bytes) -> Call:
        if request.method == "GET" or not raw:
            pairs = list(request.query.items())
        elif request.content_type == "application/json":
            return cls(json.loads(raw), *cls._context(request))
        else:
            pairs = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
        return cls(nested(pairs), *cls._context(request))

    @staticmethod
    def _context(request: web.Request) -> tuple:
        base = f"{request.scheme}://{request.host}"
        return request.headers.get("Stripe-Account"), request.headers.get("Stripe-Version"), base

    def connected(self, emu) -> dict:
        account = emu.store.accounts.get(self.account or "")
        if account is None:
            raise StripeError(
                403,
                f"The provided key does not have access to account '{self.account}' (or that "
                "account does not exist). Application access may have been revoked.",
                code="account_invalid",
            )
        return account


class Emulator:
    def __init__(self, localstripe_url: str):
        self.localstripe_url = localstripe_url.rstrip("/")
        self.store = Store()
        self.events = Events(self.store)
        self.session: aiohttp.ClientSession | None = None
        # When we last asked localstripe to change something (time.monotonic()): the events
        # that made, it delivers LOCALSTRIPE_DELIVERY_DELAY later.
        self.localstripe_written = 0.0

    async def start(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=64), auto_decompress=True
        )

    async def stop(self, app: web.Application) -> None:
        if self.session:
            await self.session.close()

    async def localstripe(self, method: str, path_qs: str, headers: dict, body: bytes):
        """localstripe's answer: (status, headers to pass on, body)."""
        assert self.session is not None
        if method != "GET" and not path_qs.startswith("/_config"):
            self.localstripe_written = time.monotonic()  # it may have scheduled events
        sent = {k: v for k, v in headers.items() if k.lower() not in SKIPPED_HEADERS}
        async with self.session.request(
            method, self.localstripe_url + path_qs, headers=sent, data=body or None
        ) as answer:
            content = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in SKIPPED_HEADERS}
            return answer.status, kept, content

    async def localstripe_json(self, method: str, path: str, call: Call) -> tuple[int, dict]:
        status, _, content = await self.localstripe(
            method, path, {"Authorization": "Bearer sk_test_emulator"}, b""
        )
        try:
            return status, json.loads(content)
        except ValueError:
            return status, {}


def _fingerprint(request: web.Request, call: Call) -> tuple:
    return request.method, request.path, json.dumps(call.params, sort_keys=True)


def api(fn, *, account_scoped: bool = False):
    """An endpoint of ours: Stripe-shaped errors, and Stripe's idempotency (the same key with
    the same request answers the first result again; with another request, an idempotency_error).
    account_scoped: without a Stripe-Account header it is localstripe's (the platform's)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        emu: Emulator = request.app[EMULATOR]
        raw = await request.read()
        if account_scoped and "Stripe-Account" not in request.headers:
            return await proxy.forward(request, raw)
        try:
            call = Call.of(request, raw)
        except ValueError:
            return StripeError(400, "Invalid request body.").response()
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        scope = (call.account or "", key or "")
        if key and scope in emu.store.idempotent:
            fingerprint, status, body = emu.store.idempotent[scope]
            if fingerprint != _fingerprint(request, call):
                return StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    type="idempotency_error",
                ).response()
            return web.Response(
                body=body,
                status=status,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true", "Idempotency-Key": key},
            )
        try:
            result = await fn(emu, call, **request.match_info)
        except StripeError as e:
            return e.response()
        body = json.dumps(public(result)).encode()
        if key:
            emu.store.idempotent[scope] = (_fingerprint(request, call), 200, body)
        return web.Response(body=body, content_type="application/json")

    return handler


async def config_payouts(request: web.Request) -> web.Response:
    """`POST /_config/payouts/<account>` {"failure_code": "no_account" | ... | null}: that
    account's next payouts fail (payout.failed) until set back to null."""
    emu: Emulator = request.app[EMULATOR]
    data = await request.json() if await request.read() else {}
    try:
        money.fail_payouts(emu, request.match_info["account"], data.get("failure_code"))
    except StripeError as e:
        return e.response()
    return web.Response()


async def passthrough(request: web.Request) -> web.Response:
    if request.headers.get("Stripe-Account") and request.path.startswith("/v1/"):
        return StripeError(
            400,
            f"The Stripe emulator does not support {request.method} {request.path} on a "
            "connected account (Stripe-Account).",
        ).response()
    return await proxy.forward(request, await request.read())


ROUTES = [
    ("POST", "/v1/accounts", api(connect.create_account)),
    ("GET", "/v1/accounts", api(connect.list_accounts)),
    ("GET", "/v1/account", api(connect.retrieve_account)),
    ("GET", "/v1/accounts/{account}", api(connect.retrieve_account)),
    ("POST", "/v1/accounts/{account}", api(connect.update_account)),
    ("DELETE", "/v1/accounts/{account}", api(connect.delete_account)),
    ("POST", "/v1/accounts/{account}/login_links", api(connect.create_login_link)),
    ("POST", "/v1/account_links", api(connect.create_account_link)),
    ("POST", "/v1/transfers", api(money.create_transfer)),
    ("GET", "/v1/transfers", api(money.list_transfers)),
    ("GET", "/v1/transfers/{transfer}", api(money.retrieve_transfer)),
    ("POST", "/v1/transfers/{transfer}", api(money.update_transfer)),
    ("POST", "/v1/transfers/{transfer}/reversals", api(money.create_reversal)),
    ("GET", "/v1/transfers/{transfer}/reversals", api(money.list_reversals)),
    ("GET", "/v1/transfers/{transfer}/reversals/{reversal}", api(money.retrieve_reversal)),
    ("GET", "/v1/balance", api(money.retrieve_balance, account_scoped=True)),
    ("POST", "/v1/payouts", api(money.create_payout, account_scoped=True)),
    ("GET", "/v1/payouts", api(money.list_payouts, account_scoped=True)),
    ("GET", "/v1/payouts/{payout}", api(money.retrieve_payout, account_scoped=True)),
    ("POST", "/v1/refunds", api(refunds.create_refund)),
    ("POST", "/v1/payment_intents", proxy.payment_intent),
    ("GET", "/v1/payment_intents", proxy.payment_intent),
    ("GET", "/v1/payment_intents/{id}", proxy.payment_intent),
    ("POST", "/v1/payment_intents/{id}", proxy.payment_intent),
    ("POST", "/v1/payment_intents/{id}/confirm", proxy.payment_intent),
    ("GET", "/v1/charges/{id}", proxy.payment_intent),
    ("POST", "/v1/setup_intents", proxy.payment_intent),
    ("POST", "/v1/setup_intents/{id}/confirm", proxy.setup_intent_confirm),
    ("GET", "/v1/events", proxy.list_events),
    ("GET", "/v1/events/{id}", proxy.retrieve_event),
    ("POST", "/_config/webhooks/{id}", proxy.config_webhook),
    ("DELETE", "/_config/data", proxy.reset),
    ("POST", "/_config/settle", proxy.settle),
    ("POST", "/_config/payouts/{account}", config_payouts),
    ("GET", "/_emulator/onboarding/{token}", pages.onboarding),
    ("POST", "/_emulator/onboarding/{token}", pages.onboarding_submit),
    ("GET", "/_emulator/express/{token}", pages.express_dashboard),
]


def build_app(localstripe_url: str) -> web.Application:
    emulator = Emulator(localstripe_url)
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[EMULATOR] = emulator
    app.on_startup.append(emulator.start)
    app.on_cleanup.append(emulator.stop)
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
    app.router.add_route("*", "/{tail:.*}", passthrough)
    return app
