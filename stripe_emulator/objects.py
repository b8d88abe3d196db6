"""The emulator's objects, shaped field for field like Stripe's (its published fixtures, in
tests/stripe_fixtures.json, are what a test compares them with)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.state import new_id, now

# What Stripe asks of a new Express account before it may be paid.
ONBOARDING_REQUIREMENTS = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
CURRENCIES = {"US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "JP": "jpy", "CH": "chf"}
EURO = {"AT", "BE", "DE", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PT"}


def requirements(currently_due: list[str], disabled_reason: str | None) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(currently_due),
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(currently_due),
        "past_due": list(currently_due),
        "pending_verification": [],
    }


def _dashboard(params: dict) -> tuple[str, dict[str, Any]]:
    """The account's `type` and `controller` from either way of asking for one: the old
    `type=express` or the `controller` properties that describe it."""
    controller = params.get("controller") or {}
    kind = params.get("type")
    if not kind:
        dashboard = (controller.get("stripe_dashboard") or {}).get("type", "full")
        kind = {"express": "express", "none": "custom"}.get(dashboard, "standard")
    dashboard = {"express": "express", "custom": "none"}.get(kind, "full")
    by_platform = kind != "standard"
    return kind, {
        "fees": {"payer": (controller.get("fees") or {}).get("payer", "application")},
        "is_controller": True,
        "losses": {"payments": (controller.get("losses") or {}).get("payments", "application")},
        "requirement_collection": controller.get("requirement_collection")
        or ("application" if kind == "custom" else "stripe"),
        "stripe_dashboard": {"type": dashboard},
        "type": "application" if by_platform else "account",
    }


def account(params: dict) -> dict[str, Any]:
    account_id = new_id("acct_", 16)
    kind, controller = _dashboard(params)
    country = params.get("country") or "US"
    currency = params.get("default_currency") or CURRENCIES.get(
        country, "eur" if country in EURO else "usd"
    )
    asked = params.get("capabilities") or {"transfers": {"requested": "true"}}
    schedule = ((params.get("settings") or {}).get("payouts") or {}).get("schedule") or {}
    return {
        "business_profile": {
            "annual_revenue": None,
            "estimated_worker_count": None,
            "mcc": None,
            "name": None,
            "product_description": None,
            "support_address": None,
            "support_email": None,
            "support_phone": None,
            "support_url": None,
            "url": None,
            "minority_owned_business_designation": None,
            **(params.get("business_profile") or {}),
        },
        "business_type": params.get("business_type"),
        "capabilities": {name: "inactive" for name in asked},
        "charges_enabled": False,
        "controller": controller,
        "country": country,
        "created": now(),
        "default_currency": currency,
        "details_submitted": False,
        "email": params.get("email"),
        "external_accounts": {
            "data": [],
            "has_more": False,
            "object": "list",
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "future_requirements": requirements([], None),
        "id": account_id,
        "metadata": dict(params.get("metadata") or {}),
        "object": "account",
        "payouts_enabled": False,
        "requirements": requirements(ONBOARDING_REQUIREMENTS, "requirements.past_due"),
        "settings": {
            "bacs_debit_payments": {"display_name": None, "service_user_number": None},
            "branding": {
                "icon": None,
                "logo": None,
                "primary_color": None,
                "secondary_color": None,
            },
            "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
            "card_payments": {
                "decline_on": {"avs_failure": False, "cvc_failure": False},
                "statement_descriptor_prefix": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "dashboard": {"display_name": None, "timezone": "Etc/UTC"},
            "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
            "payments": {
                "statement_descriptor": None,
                "statement_descriptor_kana": None,
                "statement_descriptor_kanji": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "payouts": {
                "debit_negative_balances": True,
                "schedule": {
                    "delay_days": 2,
                    "interval": schedule.get("interval", "daily"),
                },
                "statement_descriptor": None,
            },
            "sepa_debit_payments": {},
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": kind,
    }


def link(url: str, created: int, expires_at: int) -> dict[str, Any]:
    return {"created": created, "expires_at": expires_at, "object": "account_link", "url": url}


def login_link(url: str) -> dict[str, Any]:
    return {"created": now(), "object": "login_link", "url": url}


def transfer(params: dict, amount: int) -> dict[str, Any]:
    transfer_id = new_id("tr_")
    return {
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": new_id("txn_"),
        "created": now(),
        "currency": params["currency"].lower(),
        "description": params.get("description"),
        "destination": params["destination"],
        "destination_payment": new_id("py_"),
        "id": transfer_id,
        "livemode": False,
        "metadata": dict(params.get("metadata") or {}),
        "object": "transfer",
        "reversals": {
            "data": [],
            "has_more": False,
            "object": "list",
            "total_count": 0,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "reversed": False,
        "source_transaction": params.get("source_transaction"),
        "source_type": "card",
        "transfer_group": params.get("transfer_group"),
    }


def reversal(transfer_obj: dict, amount: int, metadata: dict) -> dict[str, Any]:
    return {
        "amount": amount,
        "balance_transaction": new_id("txn_"),
        "created": now(),
        "currency": transfer_obj["currency"],
        "destination_payment_refund": new_id("pyr_"),
        "id": new_id("trr_"),
        "metadata": dict(metadata),
        "object": "transfer_reversal",
        "source_refund": None,
        "transfer": transfer_obj["id"],
    }


def payout(account_id: str, amount: int, currency: str, *, automatic: bool, **extra) -> dict:
    created = now()
    return {
        "amount": amount,
        "application_fee": None,
        "application_fee_amount": None,
        "arrival_date": created,
        "automatic": automatic,
        "balance_transaction": new_id("txn_"),
        "created": created,
        "currency": currency,
        "description": extra.get("description") or ("STRIPE PAYOUT" if automatic else None),
        "destination": "ba_" + account_id.removeprefix("acct_"),
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "id": new_id("po_"),
        "livemode": False,
        "metadata": dict(extra.get("metadata") or {}),
        "method": extra.get("method") or "standard",
        "object": "payout",
        "original_payout": None,
        "reconciliation_status": "completed",
        "reversed_by": None,
        "source_type": "card",
        "statement_descriptor": extra.get("statement_descriptor"),
        "status": "pending",
        "type": "bank_account",
        "trace_id": {"status": "pending", "value": None},
        "payout_method": None,
        "_account": account_id,
    }


def balance(by_currency: dict[str, int], default_currency: str) -> dict[str, Any]:
    amounts = by_currency or {default_currency: 0}
    return {
        "available": [
            {"amount": amount, "currency": currency, "source_types": {"card": amount}}
            for currency, amount in sorted(amounts.items())
        ],
        "connect_reserved": [{"amount": 0, "currency": c} for c in sorted(amounts)],
        "livemode": False,
        "object": "balance",
        "pending": [
            {"amount": 0, "currency": currency, "source_types": {"card": 0}}
            for currency in sorted(amounts)
        ],
    }


def public(obj: dict) -> dict:
    """The object as the API shows it: our bookkeeping fields (`_...`) left out."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def page(objects: list[dict], url: str, params: dict) -> dict[str, Any]:
    """A list page, newest first, with Stripe's `limit` and `starting_after`."""
    objects = sorted(objects, key=lambda o: o["created"], reverse=True)
    after = params.get("starting_after")
    if after:
        ids = [o["id"] for o in objects]
        objects = objects[ids.index(after) + 1 :] if after in ids else []
    limit = max(1, min(int(params.get("limit") or 10), 100))
    return {
        "object": "list",
        "data": [public(o) for o in objects[:limit]],
        "has_more": len(objects) > limit,
        "url": url,
    }
