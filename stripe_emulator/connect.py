"""Connect accounts: create, retrieve, update, list, delete; Account Links (onboarding) and
login links (the Express dashboard). The pages those links open are in pages.py."""

from __future__ import annotations

import copy
import secrets

from stripe_emulator import objects
from stripe_emulator.errors import StripeError, missing, required, unknown_parameters
from stripe_emulator.state import AccountLink, now

ACCOUNT_CREATE = {
    "type",
    "controller",
    "country",
    "email",
    "capabilities",
    "business_type",
    "business_profile",
    "metadata",
    "settings",
    "default_currency",
    "tos_acceptance",
    "expand",
    "individual",
    "company",
}
ACCOUNT_UPDATE = {"email", "business_profile", "metadata", "settings", "expand", "capabilities"}
LINK_CREATE = {"account", "refresh_url", "return_url", "type", "collect", "collection_options"}
LINK_LIFETIME = 300  # seconds, as Stripe's


def connected_account(emu, account_id: str, param: str = "account") -> dict:
    account = emu.store.accounts.get(account_id)
    if account is None:
        raise missing("account", account_id, param)
    return account


async def create_account(emu, call) -> dict:
    params = call.params
    unknown_parameters(params, ACCOUNT_CREATE)
    if params.get("type") and params.get("controller"):
        raise StripeError(
            400, "You cannot specify both `type` and `controller`.", param="controller"
        )
    if params.get("type") not in (None, "express", "standard", "custom"):
        raise StripeError(400, f"Invalid type: {params['type']}", param="type")
    account = objects.account(params)
    account["_api_version"] = call.api_version
    emu.store.accounts[account["id"]] = account
    return account


async def retrieve_account(emu, call, account: str | None = None) -> dict:
    account_id = account or call.account
    if not account_id:
        raise StripeError(400, "The emulator has no platform account to show.", param="account")
    return connected_account(emu, account_id)


async def update_account(emu, call, account: str) -> dict:
    unknown_parameters(call.params, ACCOUNT_UPDATE)
    obj = connected_account(emu, account)
    previous: dict = {}
    for name in ("email", "metadata"):
        if name in call.params:
            previous[name] = obj[name]
            obj[name] = (
                call.params[name]
                if name == "email"
                else {**obj["metadata"], **call.params["metadata"]}
            )
    schedule = ((call.params.get("settings") or {}).get("payouts") or {}).get("schedule") or {}
    if schedule.get("interval"):
        previous["settings"] = copy.deepcopy(obj["settings"])
        obj["settings"]["payouts"]["schedule"]["interval"] = schedule["interval"]
    if previous:
        emu.events.emit(
            "account.updated",
            obj,
            account=obj["id"],
            previous=previous,
            api_version=obj.get("_api_version"),
        )
    return obj


async def list_accounts(emu, call) -> dict:
    return objects.page(list(emu.store.accounts.values()), "/v1/accounts", call.params)


async def delete_account(emu, call, account: str) -> dict:
    connected_account(emu, account)
    del emu.store.accounts[account]
    return {"id": account, "object": "account", "deleted": True}


async def create_account_link(emu, call) -> dict:
    params = call.params
    unknown_parameters(params, LINK_CREATE)
    required(params, "account", "type")
    account = connected_account(emu, params["account"])
    if params["type"] not in ("account_onboarding", "account_update"):
        raise StripeError(400, f"Invalid type: {params['type']}", param="type")
    if params["type"] == "account_update" and account["type"] != "custom":
        raise StripeError(
            400,
            "You cannot create `account_update` type Account Links for this account.",
            param="type",
        )
    required(params, "return_url")
    created = now()
    token = secrets.token_urlsafe(16)
    emu.store.links[token] = AccountLink(
        account=account["id"],
        refresh_url=params.get("refresh_url") or params["return_url"],
        return_url=params["return_url"],
        expires_at=created + LINK_LIFETIME,
    )
    return objects.link(
        f"{call.base}/_emulator/onboarding/{token}", created, created + LINK_LIFETIME
    )


async def create_login_link(emu, call, account: str) -> dict:
    unknown_parameters(call.params, {"expand"})
    obj = connected_account(emu, account)
    if obj["controller"]["stripe_dashboard"]["type"] != "express":
        raise StripeError(
            400,
            "Login links can only be created for accounts with access to the Express Dashboard.",
            param="account",
        )
    if not obj["details_submitted"]:
        raise StripeError(
            400,
            "Cannot create a login link for an account that has not completed onboarding.",
            param="account",
        )
    token = secrets.token_urlsafe(16)
    emu.store.login_links[token] = account
    return objects.login_link(f"{call.base}/_emulator/express/{token}")


def finish_onboarding(emu, account_id: str, *, complete: bool) -> dict:
    """What the onboarding form does: all requirements met (charges and payouts enabled, the
    capabilities active), or the form left with the bank account still missing."""
    obj = emu.store.accounts[account_id]
    watched = (
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "requirements",
        "capabilities",
    )
    previous = {name: obj[name] for name in watched}
    obj["details_submitted"] = True
    obj["tos_acceptance"] = {"date": now(), "ip": "127.0.0.1", "user_agent": "stripe-emulator"}
    if complete:
        obj["charges_enabled"] = obj["payouts_enabled"] = True
        obj["requirements"] = objects.requirements([], None)
        obj["capabilities"] = {name: "active" for name in obj["capabilities"]}
        obj["external_accounts"]["data"] = [_bank_account(obj)]
    else:
        obj["requirements"] = objects.requirements(["external_account"], "requirements.past_due")
    changed = {k: v for k, v in previous.items() if obj[k] != v}
    emu.events.emit(
        "account.updated",
        obj,
        account=account_id,
        previous=changed,
        api_version=obj.get("_api_version"),
    )
    return obj


def _bank_account(account: dict) -> dict:
    return {
        "id": "ba_" + account["id"].removeprefix("acct_"),
        "object": "bank_account",
        "account": account["id"],
        "bank_name": "STRIPE TEST BANK",
        "country": account["country"],
        "currency": account["default_currency"],
        "default_for_currency": True,
        "last4": "6789",
        "status": "new",
    }
