"""Steps shared by the browser tests."""

from core.tests.factories import PASSWORD
from web.tests.conftest import log_in

VISA = "4242424242424242"
DECLINED_AT_CHARGE = "4000000000000341"
# Stripe's 3-D Secure test cards: the first asks once when it is set up and not again for the
# payment made with it; the second asks every time.
THREE_D_SECURE = "4000002500003155"
THREE_D_SECURE_ALWAYS = "4000002760003184"


def book_first_free_slot(page, base: str, client, trainer) -> int:
    """Log in as `client`, open the trainer's page, take the first free time; returns the
    booking id from the payment page's address."""
    log_in(page, base, client.email, PASSWORD)
    page.goto(f"{base}/trainers/{trainer.pk}/")
    return pick_and_hold(page, page.locator("a.slot").first)


def pick_and_hold(page, slot) -> int:
    """Click a time of the week view, then hold it on the confirmation step; returns the
    booking id from the payment page's address."""
    slot.click()
    page.wait_for_url("**/trainers/*/confirm/*")
    page.get_by_role("button", name="Hold this time and pay").click()
    page.wait_for_url("**/sessions/*/pay/")
    return booking_id_of(page)


def booking_id_of(page) -> int:
    return int(page.url.rstrip("/").split("/")[-2])


def fill_card(page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("10001")
