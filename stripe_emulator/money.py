"""Money of connected accounts: transfers from the platform and their reversals, each account's
balance, and payouts to its bank account.

Simplifications (test mode, compressed): a transfer is available on the connected account at
once; with the account's payout schedule anything but `manual` (Stripe's default is daily), its
balance is paid out right after the transfer, `payout.created` then `payout.paid`.
"""

from __future__ import annotations

from stripe_emulator import objects
from stripe_emulator.connect import connected_account
from stripe_emulator.errors import StripeError, missing, required, unknown_parameters
from stripe_emulator.params import as_int

FORWARD = object()  # the handler's answer when localstripe should answer instead
TRANSFER_CREATE = {
    "amount",
    "currency",
    "description",
    "destination",
    "expand",
    "metadata",
    "source_transaction",
    "source_type",
    "transfer_group",
}
REVERSAL_CREATE = {"amount", "description", "expand", "metadata", "refund_application_fee"}
PAYOUT_CREATE = {
    "amount",
    "currency",
    "description",
    "destination",
    "expand",
    "metadata",
    "method",
    "source_type",
    "statement_descriptor",
}
FAILURES = {
    "account_closed": "The bank account has been closed.",
    "no_account": "The bank account details on file are probably incorrect.",
    "insufficient_funds": "Your Stripe balance is insufficient to cover the payout.",
}


def _amount(params: dict, name: str = "amount") -> int:
    amount = as_int(params.get(name))
    if amount is None or amount < 1:
        raise StripeError(400, f"Invalid positive integer: {params.get(name)}", param=name)
    return amount


def _transfer(emu, transfer_id: str) -> dict:
    obj = emu.store.transfers.get(transfer_id)
    if obj is None:
        raise missing("transfer", transfer_id)
    return obj


async def _check_source(emu, call, source: str, currency: str, amount: int) -> None:
    status, charge = await emu.localstripe_json("GET", f"/v1/charges/{source}", call)
    if status != 200:
        raise missing("charge", source, "source_transaction")
    if charge.get("currency") != currency:
        raise StripeError(
            400,
            f"The currency of source_transaction's balance transaction ({charge.get('currency')})"
            f" must be the same as the transfer currency ({currency}).",
            param="currency",
        )
    moved = sum(
        t["amount"] for t in emu.store.transfers.values() if t["source_transaction"] == source
    )
    left = charge.get("amount", 0) - (charge.get("amount_refunded") or 0) - moved
    if amount > left:
        raise StripeError(
            400,
            f"The transfer amount ({amount}) exceeds what remains of the source transaction "
            f"{source} ({left}).",
            param="amount",
        )


async def create_transfer(emu, call) -> dict:
    params = call.params
    unknown_parameters(params, TRANSFER_CREATE)
    required(params, "amount", "currency", "destination")
    amount = _amount(params)
    params["currency"] = params["currency"].lower()
    account = emu.store.accounts.get(params["destination"])
    if account is None:
        raise StripeError(
            400,
            f"No such destination: '{params['destination']}'",
            code="resource_missing",
            param="destination",
        )
    if account["capabilities"].get("transfers") != "active":
        raise StripeError(
            400,
            "Your destination account needs to have at least one of the following "
            "capabilities enabled: transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )
    if params.get("source_transaction"):
        await _check_source(emu, call, params["source_transaction"], params["currency"], amount)
    transfer = objects.transfer(params, amount)
    emu.store.transfers[transfer["id"]] = transfer
    emu.store.credit(account["id"], transfer["currency"], amount)
    emu.events.emit("transfer.created", transfer, api_version=call.api_version)
    if account["settings"]["payouts"]["schedule"]["interval"] != "manual":
        pay_out(emu, account, transfer["currency"], automatic=True)
    return transfer


async def retrieve_transfer(emu, call, transfer: str) -> dict:
    return _transfer(emu, transfer)


async def update_transfer(emu, call, transfer: str) -> dict:
    unknown_parameters(call.params, {"description", "metadata", "expand"})
    obj = _transfer(emu, transfer)
    if "description" in call.params:
        obj["description"] = call.params["description"]
    obj["metadata"] = {**obj["metadata"], **(call.params.get("metadata") or {})}
    return obj


async def list_transfers(emu, call) -> dict:
    found = [
        t
        for t in emu.store.transfers.values()
        if all(
            t[name] == call.params[name]
            for name in ("destination", "transfer_group")
            if call.params.get(name)
        )
    ]
    return objects.page(found, "/v1/transfers", call.params)


async def create_reversal(emu, call, transfer: str) -> dict:
    unknown_parameters(call.params, REVERSAL_CREATE)
    obj = _transfer(emu, transfer)
    remaining = obj["amount"] - obj["amount_reversed"]
    if remaining == 0:
        raise StripeError(400, f"Transfer {transfer} has already been fully reversed.")
    amount = _amount(call.params) if call.params.get("amount") is not None else remaining
    if amount > remaining:
        raise StripeError(
            400,
            f"The reversal amount ({amount}) is greater than what remains of transfer "
            f"{transfer} ({remaining}).",
            param="amount",
        )
    reversal = objects.reversal(obj, amount, call.params.get("metadata") or {})
    obj["reversals"]["data"].insert(0, reversal)
    obj["reversals"]["total_count"] += 1
    obj["amount_reversed"] += amount
    obj["reversed"] = obj["amount_reversed"] == obj["amount"]
    emu.store.credit(obj["destination"], obj["currency"], -amount)
    emu.events.emit("transfer.reversed", obj, api_version=call.api_version)
    return reversal


async def list_reversals(emu, call, transfer: str) -> dict:
    data = _transfer(emu, transfer)["reversals"]["data"]
    return objects.page(data, f"/v1/transfers/{transfer}/reversals", call.params)


async def retrieve_reversal(emu, call, transfer: str, reversal: str) -> dict:
    for obj in _transfer(emu, transfer)["reversals"]["data"]:
        if obj["id"] == reversal:
            return obj
    raise missing("transfer_reversal", reversal)


async def retrieve_balance(emu, call):
    if not call.account:
        return FORWARD
    account = call.connected(emu)
    return objects.balance(emu.store.balances.get(account["id"], {}), account["default_currency"])


def pay_out(
    emu, account: dict, currency: str, *, automatic: bool, amount: int | None = None, **extra
) -> dict | None:
    """Pay `amount` (default: all that is available in `currency`) to the account's bank:
    payout.created, then payout.paid (or payout.failed after /_config/payouts/<account>)."""
    available = emu.store.balances.get(account["id"], {}).get(currency, 0)
    amount = available if amount is None else amount
    if amount <= 0 or not account["payouts_enabled"]:
        return None
    payout = objects.payout(account["id"], amount, currency, automatic=automatic, **extra)
    emu.store.payouts[payout["id"]] = payout
    emu.store.credit(account["id"], currency, -amount)
    version = account.get("_api_version")
    emu.events.emit("payout.created", payout, account=account["id"], api_version=version)
    failure = emu.store.payout_failures.get(account["id"])
    if failure:
        payout.update(status="failed", failure_code=failure, failure_message=FAILURES[failure])
        emu.store.credit(account["id"], currency, amount)
        emu.events.emit("payout.failed", payout, account=account["id"], api_version=version)
    else:
        payout["status"] = "paid"
        emu.events.emit("payout.paid", payout, account=account["id"], api_version=version)
    return payout


async def create_payout(emu, call):
    if not call.account:
        return FORWARD
    unknown_parameters(call.params, PAYOUT_CREATE)
    required(call.params, "amount", "currency")
    account = call.connected(emu)
    amount, currency = _amount(call.params), call.params["currency"].lower()
    if not account["payouts_enabled"]:
        raise StripeError(
            400, "Payouts are not enabled for this account.", code="payouts_not_allowed"
        )
    if amount > emu.store.balances.get(account["id"], {}).get(currency, 0):
        raise StripeError(
            400,
            "You have insufficient funds in your Stripe account for this transfer.",
            code="balance_insufficient",
            param="amount",
        )
    extra = {
        k: call.params.get(k) for k in ("description", "metadata", "method", "statement_descriptor")
    }
    return pay_out(emu, account, currency, automatic=False, amount=amount, **extra)


async def retrieve_payout(emu, call, payout: str):
    if not call.account:
        return FORWARD
    obj = emu.store.payouts.get(payout)
    if obj is None or obj["_account"] != call.account:
        raise missing("payout", payout)
    return obj


async def list_payouts(emu, call):
    if not call.account:
        return FORWARD
    mine = [p for p in emu.store.payouts.values() if p["_account"] == call.account]
    return objects.page(mine, "/v1/payouts", call.params)


def fail_payouts(emu, account_id: str, failure_code: str | None) -> None:
    connected_account(emu, account_id)
    if failure_code is None:
        emu.store.payout_failures.pop(account_id, None)
    elif failure_code in FAILURES:
        emu.store.payout_failures[account_id] = failure_code
    else:
        raise StripeError(400, f"failure_code must be one of {sorted(FAILURES)}")
