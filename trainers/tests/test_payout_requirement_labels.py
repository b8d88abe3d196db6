"""Stripe's requirement codes in plain words: the ones a trainer meets on Express onboarding by
name, any other spelled out from its code, each said once, nothing that breaks on odd input."""

import pytest

from trainers.payout_requirements import payout_requirement_label, payout_requirement_labels


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("external_account", "Your bank account"),
        ("individual.verification.document", "A photo ID"),
        ("tos_acceptance.date", "Accepting Stripe's terms"),
        ("tos_acceptance.ip", "Accepting Stripe's terms"),
        ("individual.dob.day", "Your date of birth"),
        ("individual.address.line1", "Your home address"),
        ("individual.ssn_last_4", "The last 4 digits of your Social Security number"),
        ("business_profile.url", "Your website, or a description of what you offer"),
        # A company's people give the same personal details as an individual.
        ("representative.verification.document", "A photo ID"),
        ("person_1N2bXy.verification.additional_document", "A document that proves your address"),
    ],
)
def test_it_names_the_codes_it_knows(code, label):
    assert payout_requirement_label(code) == label


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("individual.registered_address.line1", "Registered address (line 1)"),
        ("company.tax_id", "Company (tax id)"),
        ("individual.political_exposure", "Political exposure"),
        ("settings.payments.statement_descriptor", "Settings (payments, statement descriptor)"),
        ("some_new_field", "Some new field"),
    ],
)
def test_it_spells_out_a_code_it_does_not_know(code, label):
    assert payout_requirement_label(code) == label


@pytest.mark.parametrize("code", ["", "...", None, 42, " individual. ", "individual"])
def test_it_never_breaks_on_an_odd_code(code):
    assert payout_requirement_label(code)


def test_each_need_is_said_once_in_stripes_order():
    codes = [
        "individual.dob.day",
        "external_account",
        "individual.dob.month",
        "individual.dob.year",
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ]
    assert payout_requirement_labels(codes) == [
        "Your date of birth",
        "Your bank account",
        "Accepting Stripe's terms",
    ]
    assert payout_requirement_labels([]) == payout_requirement_labels(None) == []
