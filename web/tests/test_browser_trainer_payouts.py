"""A trainer whose payouts Stripe has not enabled yet reads what it still needs in plain words on
/trainer/payouts/, at 1280 and 375 px."""

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

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Stripe has not enabled your payouts yet. It still needs:")
    expect(alert.get_by_role("listitem")).to_have_text(
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
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
