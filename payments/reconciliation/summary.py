"""What a reconciliation run did, and how each of its items is run on its own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

from django.db import transaction

from payments import stripe_client

logger = logging.getLogger(__name__)


@dataclass
class ReconcileSummary:
    dry_run: bool = False
    payments_checked: int = 0
    payments_updated: int = 0
    events_listed: int = 0
    events_applied: int = 0
    events_retried: int = 0
    details_filled: int = 0
    refunds_settled: int = 0
    refunds_checked: int = 0
    disputes_checked: int = 0
    refunds_made: int = 0
    transfers_checked: int = 0
    open_alerts: int = 0
    # verify_ledger's exit code (None: not run) and the differences it found.
    ledger_exit_code: int | None = None
    ledger_differences: list[str] = field(default_factory=list)
    # What changed (or, in a dry run, would change), one line each.
    changes: list[str] = field(default_factory=list)
    # Stripe unreachable or refusing: tried again on the next run, nobody needs to act.
    errors: list[str] = field(default_factory=list)
    # Anything else (a bug, a row our code cannot handle): logged with its traceback.
    failures: list[str] = field(default_factory=list)

    @property
    def needs_person(self) -> bool:
        """A failure, an open PaymentAlert or a difference in the ledger: the command exits
        non-zero."""
        return bool(self.failures) or self.open_alerts > 0 or bool(self.ledger_differences)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"Checked {self.payments_checked} open payments ({self.payments_updated} updated); "
            f"listed {self.events_listed} Stripe events ({self.events_applied} newly applied); "
            f"retried {self.events_retried} failed events; filled the card of "
            f"{self.details_filled} paid payments; settled {self.refunds_settled} pending "
            f"refunds; checked the refunds of {self.refunds_checked} payments and "
            f"{self.disputes_checked} disputes; refunded {self.refunds_made} payments in full; "
            f"checked the transfers of {self.transfers_checked} sessions; "
            f"{len(self.errors)} errors, {len(self.failures)} failures, "
            f"{self.open_alerts} open alerts; {self._ledger()}."
        )

    def _ledger(self) -> str:
        if self.ledger_exit_code is None:
            return "ledger not verified"
        if self.ledger_differences:
            return f"ledger: {len(self.ledger_differences)} differences"
        return "ledger agrees" if self.ledger_exit_code == 0 else "ledger: Stripe not asked"


def run_item(summary: ReconcileSummary, label: str, fn: Callable[[], object]) -> None:
    """Run one item of a sweep so that its failure is its own: counted, never stopping the
    sweep. Each item takes its own short transactions (Stripe is called between them, never
    under a lock); in a dry run, where the whole run is one transaction rolled back at the end,
    the item gets a savepoint so that a database error undoes only its own work."""
    try:
        with transaction.atomic() if summary.dry_run else nullcontext():
            fn()
    except stripe_client.StripeFailure as e:
        summary.errors.append(f"{label}: {e.message}")
    except Exception as e:
        logger.exception("Reconciliation: %s failed", label)
        summary.failures.append(f"{label}: {type(e).__name__}: {e}")
