import pytest
import stripe
import stripe._stripe_client
from rest_framework.test import APIClient

from core.tests.factories import AdminFactory, ClientFactory, TrainerProfileFactory
from payments import stripe_client
from payments.tests import stripe_contract


@pytest.fixture(scope="session", autouse=True)
def _stripe_request_contract():
    """Every StripeClient the tests build (ours in payments.stripe_client included) sends
    through the contract's HTTP client: a request Stripe's typed parameters do not define fails
    the test (payments/tests/stripe_contract.py)."""

    def contract_client(*args, **kwargs):
        return stripe_contract.ContractHTTPClient(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stripe._stripe_client, "new_default_http_client", contract_client)
        patch.setattr(stripe, "default_http_client", stripe_contract.ContractHTTPClient())
        stripe_client._build_client.cache_clear()
        yield
    stripe_client._build_client.cache_clear()


@pytest.fixture(autouse=True)
def _stripe_requests_keep_the_contract():
    """Also when the code that sent it swallowed the ContractViolation (a sweep that goes on
    after any error, a task that retries), the test that sent it fails."""
    stripe_contract.VIOLATIONS.clear()
    yield
    assert not stripe_contract.VIOLATIONS, "Requests against Stripe's typed parameters:\n" + (
        "\n".join(stripe_contract.VIOLATIONS)
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories and logins hash passwords in nearly every test; PBKDF2's deliberate slowness
    # would dominate the suite's time. What is tested is our flow, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _payout_account_not_required(settings):
    """Factory trainers have no connected Stripe account; most tests are about bookings, not
    payouts, and book them as a deployment with REQUIRE_PAYOUT_ACCOUNT=false does. The tests
    of payouts (payments/tests/test_payout_*.py) turn it on, as it is by default."""
    settings.REQUIRE_PAYOUT_ACCOUNT = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The login throttle and other counters live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An anonymous API client; `api.force_authenticate(user)` to act as someone."""
    return APIClient()


@pytest.fixture
def as_user(api):
    """as_user(user) -> an APIClient authenticated as that user (JWT is tested in accounts)."""

    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def client_user(db):
    return ClientFactory()


@pytest.fixture
def outsider(db):
    """A client with no relation to the objects under test: must get 404 for them."""
    return ClientFactory(email="outsider@example.com")


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def trainer(db):
    """A TrainerProfile (75.00/h usd, UTC, available all week)."""
    return TrainerProfileFactory()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (trainers' photos) go to the test's own folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
