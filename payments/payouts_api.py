"""/api/v1/trainers/me/payouts/: the trainer's connected Stripe account and what it was paid.

- GET: the account's status and what Stripe still needs (its codes, and each in plain words),
  what the platform owes, the transfers to come (session, amount, expected date) and the ones
  sent.
- POST onboarding/: {"url": Stripe's onboarding page} (the account is created the first time).
- POST dashboard/: {"url": a one-time link into the Express Dashboard}.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.money import format_amount
from payments.commands.accounts import payout_dashboard_url, payout_onboarding_url
from payments.selectors import payout_account_status, trainer_payouts
from trainers.api import IsTrainer
from trainers.payout_requirements import payout_requirement_label
from trainers.services import trainer_profile_ensure


def onboarding_urls(request) -> dict[str, str]:
    """Where Stripe sends the trainer back: the payouts page, which reads the account's new
    state (return), or a fresh link when theirs expired (refresh)."""
    return {
        "return_url": request.build_absolute_uri(reverse("web:trainer_payouts_return")),
        "refresh_url": request.build_absolute_uri(reverse("web:trainer_payouts_onboarding")),
    }


def _money(amount: int, currency: str) -> str:
    return format_amount(amount, currency)


def payouts_data(trainer) -> dict:
    payouts = trainer_payouts(trainer)
    return {
        "account": {
            "status": payout_account_status(trainer),
            "stripe_account_id": trainer.stripe_account_id or "",
            "charges_enabled": trainer.charges_enabled,
            "payouts_enabled": trainer.payouts_enabled,
            "details_submitted": trainer.details_submitted,
            "requirements": trainer.payout_requirements,
            # {code: plain words} for each of Stripe's codes above (which stay as Stripe sent them).
            "requirement_labels": {
                str(code): payout_requirement_label(code) for code in trainer.payout_requirements
            },
            "disabled_reason": trainer.payout_disabled_reason,
        },
        "owed": [
            {"amount": _money(amount, currency), "currency": currency}
            for currency, amount in sorted(payouts.owed.items())
        ],
        "upcoming": [
            {
                "booking_id": item.booking.pk,
                "session_start": item.booking.start_time,
                "amount": _money(item.amount, item.currency),
                "currency": item.currency,
                "expected_at": item.expected_at,
                "waiting_for": item.waiting_for,
            }
            for item in payouts.upcoming
        ],
        "transfers": [
            {
                "id": transfer.pk,
                "booking_id": transfer.booking_id,
                "session_start": transfer.booking.start_time,
                "amount": _money(transfer.amount, transfer.currency),
                "reversed": _money(
                    sum(r.amount for r in transfer.reversals.all() if r.status == "succeeded"),
                    transfer.currency,
                ),
                "currency": transfer.currency,
                "stripe_transfer_id": transfer.stripe_transfer_id,
                "sent_at": transfer.sent_at,
            }
            for transfer in payouts.past
        ],
    }


_url_response = inline_serializer("PayoutUrl", {"url": serializers.URLField()})


class TrainerPayoutsApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(responses={200: inline_serializer("TrainerPayouts", {})})
    def get(self, request):
        return Response(payouts_data(trainer_profile_ensure(user=request.user)))


class TrainerPayoutOnboardingApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(request=None, responses={200: _url_response})
    def post(self, request):
        trainer = trainer_profile_ensure(user=request.user)
        return Response({"url": payout_onboarding_url(trainer, **onboarding_urls(request))})


class TrainerPayoutDashboardApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(request=None, responses={200: _url_response})
    def post(self, request):
        trainer = trainer_profile_ensure(user=request.user)
        return Response({"url": payout_dashboard_url(trainer)})
