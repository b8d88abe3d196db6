"""Reading Stripe's objects safely: a field of a dict or a StripeObject, an id or an expanded
object, a string that fits our column. No SDK here: the objects come from stripe_client's answers
or from an event's JSON, and their shape still comes from outside (another API version, another
integration), so whatever does not read as expected reads as "absent"."""

from typing import Any


def field(obj: Any, name: str) -> Any:
    """obj[name] for a StripeObject or dict, None when absent or when `obj` is anything else (a
    string id, a list, a number): StripeObject raises otherwise."""
    if obj is None or isinstance(obj, str):
        return None
    try:
        return obj[name]
    except (KeyError, TypeError):
        return None


# Stripe ids are far shorter; a longer string cannot be one of ours (and would not fit a column).
STRIPE_ID_MAX = 255


def text(obj: Any, name: str, max_length: int = STRIPE_ID_MAX) -> str:
    """obj[name] when it is a string of at most `max_length` characters, else "".

    A signed event is Stripe's, but its shape still comes from outside (another API version,
    another integration): a list, a number or an oversized string where we expect an id or a
    status must read as "absent", not crash the handler (a 500 Stripe retries for days).
    """
    value = field(obj, name)
    return value if isinstance(value, str) and len(value) <= max_length else ""


def charge_id(intent: Any) -> str:
    charge = field(intent, "latest_charge")
    if isinstance(charge, str):
        return charge if len(charge) <= STRIPE_ID_MAX else ""
    return text(charge, "id")


def receipt_url(intent: Any) -> str:
    return text(field(intent, "latest_charge"), "receipt_url", 500)


def card_details(intent: Any) -> tuple[str, str, str]:
    """(payment_method_type, card brand, last4): from the charge's payment_method_details when
    Stripe gives them, else from the expanded PaymentMethod (all the emulator has)."""
    details = field(field(intent, "latest_charge"), "payment_method_details")
    source = details if details is not None else field(intent, "payment_method")
    card = field(source, "card")
    return text(source, "type", 50), text(card, "brand", 30), text(card, "last4", 4)


def last_payment_error(intent: Any) -> tuple[str, str]:
    """(code, message) of the intent's last failed attempt, ("", "") when there is none."""
    error = field(intent, "last_payment_error")
    code = text(error, "decline_code", 100) or text(error, "code", 100)
    return code, text(error, "message", 5000)


def amount_refunded(intent: Any) -> int | None:
    """What Stripe says was refunded of the intent's charge (latest_charge expanded), None when
    the charge is not there to read."""
    value = field(field(intent, "latest_charge"), "amount_refunded")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
