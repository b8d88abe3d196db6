"""Events of the emulator's own objects, signed and delivered like Stripe's.

A connected account's events (account.updated, payout.*) carry `account` and go only to the
endpoints registered with `"connect": true`; the platform's own (transfer.*) go to the others,
which also receive localstripe's events (their registration is passed on to it).
Signature: `Stripe-Signature: t=<time>,v1=HMAC-SHA256(secret, "<time>.<body>")`, as Stripe and
localstripe sign. One delivery attempt each, as localstripe (Stripe retries for three days).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import time

import aiohttp

from stripe_emulator.objects import public
from stripe_emulator.state import Store, Webhook, new_id, now

logger = logging.getLogger("stripe_emulator")
DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=10)


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Events:
    def __init__(self, store: Store):
        self.store = store
        self._tasks: set[asyncio.Task] = set()

    def emit(
        self,
        event_type: str,
        obj: dict,
        *,
        account: str | None = None,
        previous: dict | None = None,
        api_version: str | None = None,
    ) -> dict:
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "api_version": api_version,
            "created": now(),
            "data": {"object": copy.deepcopy(public(obj))},
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        if previous is not None:
            event["data"]["previous_attributes"] = previous
        if account:
            event["account"] = account
        targets = [hook for hook in self.store.webhooks.values() if hook.wants(event)]
        event["pending_webhooks"] = len(targets)
        self.store.events.append(event)
        if targets:
            task = asyncio.get_running_loop().create_task(self._deliver(event, targets))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return event

    async def settle(self, timeout: float) -> int:
        """Wait until every delivery in flight has been answered (or `timeout` passed); how
        many were still in flight."""
        pending = set(self._tasks)
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        return len(pending)

    async def _deliver(self, event: dict, targets: list[Webhook]) -> None:
        # After the answer to the request that caused it, as with Stripe.
        await asyncio.sleep(0.05)
        payload = json.dumps(event, indent=2, sort_keys=True).encode()
        async with aiohttp.ClientSession(timeout=DELIVERY_TIMEOUT) as session:
            for hook in targets:
                headers = {
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": sign(payload, hook.secret),
                }
                try:
                    async with session.post(hook.url, data=payload, headers=headers) as answer:
                        logger.info("event %s to %s: %s", event["type"], hook.url, answer.status)
                except (TimeoutError, aiohttp.ClientError) as e:
                    logger.info("event %s to %s failed: %s", event["type"], hook.url, e)
