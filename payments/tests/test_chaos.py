"""Chaos: a machine searches for the interleaving that breaks the money, instead of a reviewer.

A Hypothesis state machine whose rules are what the world does (payments.tests.money_world):
book, pay at the checkout or create an intent and confirm it with a card that succeeds, is
declined or goes through 3-D Secure (passed or failed), cancel (client, trainer, admin), refund
(the trainer through the API, or someone in the Stripe Dashboard), deliver Stripe's webhooks
(any of them, twice, out of order, late or never), lose Stripe's answer to a charge or a
refund, and let time pass (retry delays, holds running out, a reconciliation).

After every step: every ledger transaction balances, the ledger agrees with every payment and
refund row (each movement was posted with its state change), fee + payout = amount, no refund
beyond a payment's amount, no booking both refunded in full and confirmed. After a final
reconciliation: Stripe's money equals the ledger's (verify_ledger, with Stripe), and every
intent that succeeded at Stripe has its row.

Stripe is the emulator (localstripe), as in the money property test, not an in-process fake: the
search drives the real HTTP calls, idempotency keys and error translation of
payments.stripe_client, and the emulator's ~1 ms per call is not what an example costs (the
requests, their transactions and the checks after every step are): 5,272 examples of up to 12
steps took 64 minutes on PostgreSQL on a shared 2-CPU machine (about 0.7 s each; several times
that under load). `make test` runs a few derandomized examples;
`make chaos` (CHAOS_EXAMPLES, default 5,000) a long random search, printing how many it tried
and how long it took.
"""

import datetime as dt
import os
import time

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ledger.models import Entry
from ledger.verification import verify_ledger
from payments.reconciliation import reconcile_payments
from payments.tests.money_world import World, check_invariants, check_rows

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
EXAMPLES = int(os.environ.get("CHAOS_EXAMPLES", "3"))
STEPS = int(os.environ.get("CHAOS_STEPS", "12"))
LONG_SEARCH = "CHAOS_EXAMPLES" in os.environ


def check_ledger() -> None:
    """Every transaction balances, and the ledger holds exactly what the rows say moved."""
    unbalanced = (
        Entry.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
    )
    assert not unbalanced.exists(), list(unbalanced)
    now = timezone.now()
    report = verify_ledger(
        start=now - dt.timedelta(days=1), end=now, everything=True, ask_stripe=False
    )
    assert report.differences == [], report.differences


class Chaos(RuleBasedStateMachine):
    # The pytest fixtures of the running test (a state machine takes no arguments).
    fixtures: dict = {}
    tried = 0

    def __init__(self):
        super().__init__()
        f = Chaos.fixtures
        f["localstripe"].reset()
        # Each example starts from the test's database and rolls back what it did.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.world = World(f["localstripe"], f["stripe_requests"], f["as_user"], f["api"])
        Chaos.tried += 1

    def step(self, *op) -> None:
        with Chaos.fixtures["capture"](execute=True):
            self.world.run(op)

    @rule(how=st.sampled_from(["pay", "pay_answer_lost", "pay_declined"]))
    def pay_at_the_checkout(self, how):
        self.step(how)

    @rule(card=st.sampled_from(["success", "decline", "3ds_ok", "3ds_failed"]))
    def create_intent_and_confirm(self, card):
        self.step("pay_through_the_api", card)

    @rule(who=st.sampled_from(["client_cancels", "trainer_cancels", "admin_cancels"]))
    def cancel(self, who):
        self.step(who)

    @rule(
        how=st.sampled_from(["trainer_refunds", "trainer_refunds_answer_lost", "dashboard_refunds"])
    )
    def refund(self, how):
        self.step(how)

    @rule(n=st.integers(min_value=0, max_value=20), copies=st.integers(min_value=1, max_value=2))
    def deliver_a_webhook(self, n, copies):
        for _ in range(copies):
            self.step("deliver", n)

    @rule(what=st.sampled_from(["time_passes", "expire_holds", "reconcile"]))
    def time_passes(self, what):
        self.step(what)

    @rule()
    def book_again(self):
        self.step("new_booking")

    @invariant()
    def the_money_holds(self):
        check_rows(self.world)
        check_ledger()

    def teardown(self):
        try:
            with Chaos.fixtures["capture"](execute=True):
                summary = reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
            assert summary.failures == [], summary.failures
            check_invariants(self.world)
            now = timezone.now()
            report = verify_ledger(
                start=now - dt.timedelta(days=1), end=now + dt.timedelta(hours=1), everything=True
            )
            assert report.exit_code == 0, "\n".join(report.lines())
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)


def test_no_interleaving_breaks_the_money_or_the_ledger(
    localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks
):
    Chaos.fixtures = {
        "localstripe": localstripe,
        "stripe_requests": stripe_requests,
        "as_user": as_user,
        "api": api,
        "capture": django_capture_on_commit_callbacks,
    }
    Chaos.tried = 0
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            Chaos,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=not LONG_SEARCH,
                database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            ),
        )
    finally:
        print(
            f"\nchaos: {Chaos.tried} examples tried (up to {STEPS} steps each) "
            f"in {time.monotonic() - started:.0f} s"
        )
