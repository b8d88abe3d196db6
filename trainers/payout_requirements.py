"""What Stripe still needs from a trainer before it pays them, in words they understand.

Stripe names each requirement of a connected account by the field it lacks
(`requirements.currently_due`: "external_account", "individual.verification.document",
"tos_acceptance.date"...), and adds new names over time. The ones a trainer meets on Express
onboarding have a label here; any other is spelled out from its name ("company.tax_id" reads
"Company (tax id)"), so a new name still reads as words and never breaks a page. The codes
themselves stay as Stripe sent them (TrainerProfile.payout_requirements, the API's
`requirements`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Whose field it is. A trainer on Express onboarding is the individual; a company's
# representative (or another of its people, "person_<id>") gives the same personal details.
_PEOPLE = ("individual", "representative")

# By the field's name without whose it is, the longest matching prefix first (every code under
# "dob" is one date of birth). Several codes may share a label: they are shown once.
_LABELS = {
    "external_account": "Your bank account",
    "tos_acceptance": "Accepting Stripe's terms",
    "verification.document": "A photo ID",
    "verification.additional_document": "A document that proves your address",
    "verification.proof_of_liveness": "A selfie to match your photo ID",
    "dob": "Your date of birth",
    "first_name": "Your first name",
    "last_name": "Your last name",
    "email": "Your email address",
    "phone": "Your phone number",
    "address": "Your home address",
    "ssn_last_4": "The last 4 digits of your Social Security number",
    "id_number": "Your national ID number (in the US, your Social Security number)",
    "business_type": "Whether you work as an individual or a company",
    "business_profile.mcc": "The kind of business you run",
    "business_profile.url": "Your website, or a description of what you offer",
    "business_profile.product_description": "A description of what you offer",
}
_UNNAMED = "Other details"


def payout_requirement_label(code: object) -> str:
    """The words for one of Stripe's requirement codes (any value: Stripe's list is stored as
    it came)."""
    parts = [p for p in str(code or "").strip().split(".") if p]
    if parts and (parts[0] in _PEOPLE or parts[0].startswith("person_")):
        parts = parts[1:]
    for end in range(len(parts), 0, -1):
        label = _LABELS.get(".".join(parts[:end]))
        if label:
            return label
    if not parts:
        return _UNNAMED
    # "address.line1" -> "Address (line 1)"; "company.tax_id" -> "Company (tax id)".
    words = [_words(p) for p in parts]
    head = words[0][:1].upper() + words[0][1:]
    return f"{head} ({', '.join(words[1:])})" if len(words) > 1 else head


def payout_requirement_labels(codes: Iterable[object]) -> list[str]:
    """The words for each requirement, in Stripe's order, each said once."""
    return list(dict.fromkeys(payout_requirement_label(code) for code in codes or ()))


def _words(name: str) -> str:
    """'ssn_last_4' -> 'ssn last 4', 'line1' -> 'line 1'."""
    spaced = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", name.replace("_", " "))
    return " ".join(spaced.split())
