"""A trainer whose payouts Stripe has not enabled yet reads what it still needs in plain words on
/trainer/payouts/, at 1280 and 375 px: a notice that is part of the page (not an alert, which
screen readers announce as if it had just appeared), and its two buttons apart."""

import pytest
from playwright.sync_api import expect

from core.tests.factories import PASSWORD, TrainerProfileFactory
from web.tests.axe import assert_accessible
from web.tests.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_reads_what_stripe_still_needs(web):
    new_page, base = web
    trainer = TrainerProfileFactory(
        user__first_name="Rui",
        stripe_account_id="acct_pending_browser",
        details_submitted=True,
        payout_requirements=[
            "individual.verification.document",
            "individual.dob.day",
            "individual.dob.month",
            "individual.dob.year",
            "external_account",
            "tos_acceptance.date",
            "individual.registered_address.line1",
        ],
    )
    page = new_page()
    log_in(page, base, trainer.user.email, PASSWORD)

    page.goto(f"{base}/trainer/payouts/")

    notice = page.locator(".alert")
    expect(notice).to_contain_text("Stripe has not enabled your payouts yet. It still needs:")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(notice.get_by_role("listitem")).to_have_text(
        [
            "A photo ID",
            "Your date of birth",
            "Your bank account",
            "Accepting Stripe's terms",
            "Registered address (line 1)",
        ]
    )
    expect(page.get_by_role("button", name="Continue with Stripe")).to_be_visible()
    screenshot(page, "trainer-payouts-needs")
    assert_accessible(page)
    assert buttons_gap(page) >= 8
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert buttons_gap(page) >= 8
    assert_accessible(page)


def buttons_gap(page) -> float:
    """Pixels between "Continue with Stripe" and "Open my Stripe dashboard", side by side or
    one above the other (negative: they overlap)."""
    first = page.get_by_role("button", name="Continue with Stripe").bounding_box()
    second = page.get_by_role("button", name="Open my Stripe dashboard").bounding_box()
    across = second["x"] - (first["x"] + first["width"])
    down = second["y"] - (first["y"] + first["height"])
    return max(across, down)
