import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q, Sum

from accounts.models import User
from bookings.models import Booking
from payments.models import Payment, Refund
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db


def test_it_writes_consistent_rows():
    call_command("seed_analytics", payments=3000, seed=3)
    payments = Payment.objects.all()
    assert payments.count() == 3000
    assert Booking.objects.count() == 3000
    assert TrainerProfile.objects.count() == 3
    assert User.objects.filter(role="client").count() == 75
    assert not payments.exclude(amount=F("platform_fee_amount") + F("trainer_payout_amount"))
    assert not payments.exclude(amount=F("booking__price"), currency=F("booking__currency"))
    assert not payments.exclude(currency=F("booking__trainer__currency"))
    assert not payments.exclude(trainer=F("booking__trainer"))
    # Refund totals equal their succeeded Refund rows.
    refunded = payments.filter(refund_amount__gt=0)
    sums = dict(
        Refund.objects.filter(status="succeeded")
        .values_list("payment_id")
        .annotate(total=Sum("amount"))
    )
    assert {p.id: p.refund_amount for p in refunded} == sums
    assert not refunded.filter(status="refunded").exclude(refund_amount=F("amount"))
    assert not refunded.filter(status="partially_refunded", refund_amount__gte=F("amount"))
    # Statuses agree between payment and booking.
    assert not payments.filter(status="failed").exclude(booking__payment_status="failed")
    assert not payments.filter(status__in=Payment.COLLECTED_STATUSES, succeeded_at__isnull=True)
    assert not payments.filter(
        ~Q(status__in=Payment.COLLECTED_STATUSES), succeeded_at__isnull=False
    )
    # Roughly the advertised mix: ~8% declines, some refunds from the Dashboard, a few disputes.
    declined = payments.filter(status="failed").count()
    assert 150 < declined < 350
    assert Refund.objects.filter(source="dashboard").exists()
    assert payments.filter(status="partially_refunded").exists()
    assert payments.exclude(dispute_id="").exists()
    # A year of history, ids in time order.
    first, last = payments.order_by("id").first(), payments.order_by("id").last()
    assert (last.created_at - first.created_at).days > 300
    assert list(payments.order_by("id").values_list("created_at", flat=True)) == sorted(
        payments.values_list("created_at", flat=True)
    )


def test_it_adds_to_existing_data_without_clashing():
    call_command("seed_analytics", payments=20, seed=1)
    call_command("seed_analytics", payments=20, seed=1)
    assert Payment.objects.count() == 40
    assert User.objects.filter(email__endswith="@seed.fitconnect.test").count() == 2 * (3 + 5)


def test_it_refuses_a_nonsense_count():
    with pytest.raises(CommandError):
        call_command("seed_analytics", payments=0)
