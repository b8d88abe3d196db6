"""Everything the emulator adds to localstripe, in memory: connected accounts, their links,
transfers, payouts and balances, the events it sent, idempotent answers, webhook endpoints, and
what it remembers about localstripe's objects (transfer groups, cards authenticated once)."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field

from aiohttp import web

# How handlers find the running emulator in the aiohttp application.
EMULATOR: web.AppKey = web.AppKey("emulator")
_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now() -> int:
    return int(time.time())


@dataclass
class Webhook:
    url: str
    secret: str
    events: list[str] | None
    connect: bool = False

    def wants(self, event: dict) -> bool:
        if self.connect != bool(event.get("account")):
            return False
        return self.events is None or event["type"] in self.events


@dataclass
class AccountLink:
    account: str
    refresh_url: str
    return_url: str
    expires_at: int
    opened: bool = False  # single use: a second visit goes to refresh_url
    used: bool = False


@dataclass
class Store:
    accounts: dict[str, dict] = field(default_factory=dict)
    links: dict[str, AccountLink] = field(default_factory=dict)
    login_links: dict[str, str] = field(default_factory=dict)  # token -> account id
    transfers: dict[str, dict] = field(default_factory=dict)
    payouts: dict[str, dict] = field(default_factory=dict)  # each with "_account"
    # account id -> currency -> amount available (test mode: a transfer is available at once)
    balances: dict[str, dict[str, int]] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    # (Stripe-Account or "", Idempotency-Key) -> (request fingerprint, status, body)
    idempotent: dict[tuple[str, str], tuple[tuple, int, bytes]] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    # localstripe knows nothing of these: PaymentIntent id -> its transfer_group
    transfer_groups: dict[str, str] = field(default_factory=dict)
    # SetupIntent id -> the card number it is being confirmed with
    setup_cards: dict[str, str] = field(default_factory=dict)
    # SetupIntents whose confirmation asked for 3-D Secure
    setup_challenged: set[str] = field(default_factory=set)
    # PaymentMethods whose SetupIntent completed 3-D Secure with a card that asks only once
    authenticated_once: set[str] = field(default_factory=set)
    # account id -> the failure code its next payouts get (set through /_config)
    payout_failures: dict[str, str] = field(default_factory=dict)

    def reset(self) -> None:
        """Every object goes; webhook registrations stay (as in localstripe)."""
        webhooks = self.webhooks
        self.__init__()  # type: ignore[misc]
        self.webhooks = webhooks

    def credit(self, account: str, currency: str, amount: int) -> None:
        by_currency = self.balances.setdefault(account, {})
        by_currency[currency] = by_currency.get(currency, 0) + amount
