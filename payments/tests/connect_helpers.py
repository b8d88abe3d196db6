"""Connect in unit tests: Stripe-shaped answers to the requests our stripe_client sends (through
the `stripe_requests` recorder, so the SDK builds and sends the real request), signed Connect
events, and trainers in a given onboarding state."""

import itertools
import json
import time

from django.conf import settings

from payments.tests import stripe_events as se

CONNECT_WEBHOOK_URL = "/api/v1/payments/webhook/connect/"
_ids = itertools.count(1)


def account(account_id: str, *, payouts=False, requirements=None, trainer_id=None, **extra):
    """An Account as Stripe returns it (the fields FitConnect reads)."""
    due = ["external_account", "individual.dob.day"] if requirements is None else requirements
    obj = {
        "id": account_id,
        "object": "account",
        "charges_enabled": payouts,
        "payouts_enabled": payouts,
        "details_submitted": payouts,
        "metadata": {"trainer_id": str(trainer_id)} if trainer_id else {},
        "requirements": {
            "currently_due": [] if payouts else due,
            "past_due": [],
            "disabled_reason": None if payouts else "requirements.past_due",
        },
    }
    obj.update(extra)
    return obj


class FakeConnect:
    """Answers Connect requests like Stripe: accounts, account links, login links, transfers
    and their reversals. `accounts[id]` is what a retrieve returns; `refuse` makes the next
    create of that path answer a 400."""

    def __init__(self):
        self.accounts: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        self.refuse: set[str] = set()

    def __call__(self, captured):
        path, p = captured.path, captured.params
        key = captured.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            return 200, self.by_key[key]
        for prefix in list(self.refuse):
            if path.startswith(prefix) and captured.method == "POST":
                self.refuse.discard(prefix)
                error = {"type": "invalid_request_error", "message": "Refused by the test."}
                return 400, {"error": error}
        answer = self._answer(captured.method, path, p)
        if answer is None:
            return None
        if key:
            self.by_key[key] = answer[1]
        return answer

    def _answer(self, method, path, p):
        parts = path.strip("/").split("/")[1:]  # without "v1"
        if parts == ["accounts"] and method == "POST":
            acct = account(f"acct_test_{next(_ids)}", trainer_id=p.get("metadata[trainer_id]"))
            self.accounts[acct["id"]] = acct
            return 200, acct
        if len(parts) == 2 and parts[0] == "accounts" and method == "GET":
            acct = self.accounts.get(parts[1])
            if acct is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "No such"}}
            return 200, acct
        if parts == ["account_links"]:
            url = f"https://connect.stripe.test/setup/{p['account']}"
            return 200, {"object": "account_link", "url": url, "expires_at": 0, "created": 0}
        if len(parts) == 3 and parts[2] == "login_links":
            url = f"https://connect.stripe.test/express/{parts[1]}"
            return 200, {"object": "login_link", "url": url, "created": 0}
        if parts == ["transfers"] and method == "POST":
            transfer = {
                "id": f"tr_test_{next(_ids)}",
                "object": "transfer",
                "amount": int(p["amount"]),
                "currency": p["currency"],
                "destination": p["destination"],
                "source_transaction": p.get("source_transaction"),
                "transfer_group": p.get("transfer_group"),
                "metadata": {k[9:-1]: v for k, v in p.items() if k.startswith("metadata[")},
                "amount_reversed": 0,
                "reversed": False,
                "reversals": {"object": "list", "data": [], "has_more": False},
            }
            self.transfers[transfer["id"]] = transfer
            return 200, transfer
        if len(parts) == 3 and parts[0] == "transfers" and parts[2] == "reversals":
            transfer = self.transfers[parts[1]]
            reversal = {
                "id": f"trr_test_{next(_ids)}",
                "object": "transfer_reversal",
                "amount": int(p["amount"]),
                "currency": transfer["currency"],
                "transfer": transfer["id"],
                "metadata": {k[9:-1]: v for k, v in p.items() if k.startswith("metadata[")},
            }
            transfer["amount_reversed"] += reversal["amount"]
            transfer["reversals"]["data"].append(reversal)
            return 200, reversal
        return None


def connect_event(type_: str, obj: dict, *, account_id: str | None = None, **kwargs) -> dict:
    evt = se.event(type_, obj, **kwargs)
    if account_id:
        evt["account"] = account_id
    return evt


def post_connect(client, evt, *, secret: str | None = None):
    body = json.dumps(evt).encode()
    signature = se.sign(body, secret=secret or settings.STRIPE_CONNECT_WEBHOOK_SECRET)
    return client.generic(
        "POST",
        CONNECT_WEBHOOK_URL,
        body,
        content_type="application/json; charset=utf-8",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def onboard(trainer, account_id: str | None = None):
    """The trainer as account.updated leaves them once Stripe enabled their payouts."""
    trainer.stripe_account_id = account_id or f"acct_ready_{next(_ids)}_{int(time.time())}"
    trainer.charges_enabled = trainer.payouts_enabled = trainer.details_submitted = True
    trainer.payout_requirements = []
    trainer.save()
    return trainer
