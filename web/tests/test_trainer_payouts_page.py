"""/trainer/payouts/ (and the admin, and the API) say what Stripe still needs in plain words:
the codes it knows by name, any other spelled out, nothing Stripe sends run as markup."""

import pytest
from django.test import Client

from core.tests.factories import ClientFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

URL = "/trainer/payouts/"
NEEDS = [
    "individual.verification.document",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
    "individual.registered_address.line1",
    "individual.<script>alert(1)</script>",
]


@pytest.fixture
def pending():
    return TrainerProfileFactory(
        stripe_account_id="acct_pending",
        details_submitted=True,
        payout_requirements=NEEDS,
        payout_disabled_reason="requirements.past_due",
    )


def needs_list(page: str) -> str:
    return page.split('<ul class="requirements">', 1)[1].split("</ul>", 1)[0]


def test_it_lists_what_stripe_needs_in_plain_words(client, pending):
    client.force_login(pending.user)

    page = client.get(URL).content.decode()

    assert "Stripe has not enabled your payouts yet. It still needs:" in page
    assert needs_list(page).split("</li>")[:-1] == [
        "<li>A photo ID",
        "<li>Your bank account",
        "<li>Accepting Stripe&#x27;s terms",  # once for its two codes
        "<li>Registered address (line 1)",
        "<li>&lt;script&gt;alert(1)&lt;/script&gt;",
    ]
    assert "individual.verification.document" not in page and "<script>alert" not in page


def test_it_says_stripe_is_checking_when_it_needs_nothing_more(client, pending):
    pending.payout_requirements = []
    pending.save()
    client.force_login(pending.user)

    page = client.get(URL).content.decode()

    assert "It is checking your details." in page and 'class="requirements"' not in page


def test_it_answers_404_to_a_client(client):
    client.force_login(ClientFactory())
    assert client.get(URL).status_code == 404


def test_the_api_keeps_stripes_codes_and_adds_their_words(as_user, pending):
    account = as_user(pending.user).get("/api/v1/trainers/me/payouts/").json()["account"]

    assert account["requirements"] == NEEDS
    assert account["requirement_labels"] == {
        "individual.verification.document": "A photo ID",
        "external_account": "Your bank account",
        "tos_acceptance.date": "Accepting Stripe's terms",
        "tos_acceptance.ip": "Accepting Stripe's terms",
        "individual.registered_address.line1": "Registered address (line 1)",
        "individual.<script>alert(1)</script>": "<script>alert(1)</script>",
    }


def test_the_admin_shows_the_words_beside_the_codes(admin_user, pending):
    browser = Client()
    browser.force_login(admin_user)

    page = browser.get(f"/admin/trainers/trainerprofile/{pending.pk}/change/").content.decode()

    assert "Stripe still needs" in page
    assert "<li>A photo ID <code>individual.verification.document</code></li>" in page
    assert (
        "<li>&lt;script&gt;alert(1)&lt;/script&gt; "
        "<code>individual.&lt;script&gt;alert(1)&lt;/script&gt;</code></li>"
    ) in page
    assert "<script>alert" not in page


def test_its_notices_are_part_of_the_page_not_alerts(client, pending):
    # role="alert" is for a message that appears while the page is in use (screen readers
    # interrupt to announce it); these notices are there when the page loads.
    client.force_login(pending.user)
    assert 'role="alert"' not in client.get(URL).content.decode()
    client.force_login(TrainerProfileFactory().user)  # payouts not set up
    page = client.get(URL).content.decode()
    assert "Set up payouts with Stripe" in page and 'role="alert"' not in page
