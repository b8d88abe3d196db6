"""POST /api/v1/payments/webhook/ (the platform's events) and /webhook/connect/ (the connected
accounts' events): Stripe's deliveries, verified and handed to payments.intake, one path for
both."""

from django.conf import settings
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import stripe_client
from payments.intake import Outcome, stripe_event_apply, stripe_event_verify


class StripeWebhookView(APIView):
    """No user, no CSRF token: the signature is the authentication (DRF's as_view is already
    csrf_exempt)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @classmethod
    def as_view(cls, **initkwargs):
        # The error row must survive the handler's rollback even if ATOMIC_REQUESTS is turned on.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def signing_secret(self) -> str:
        return settings.STRIPE_WEBHOOK_SECRET

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        try:
            event = stripe_event_verify(
                request.body,
                request.headers.get("Stripe-Signature", ""),
                secret=self.signing_secret(),
            )
        except stripe_client.InvalidWebhook as e:
            return Response({"error": str(e)}, status=400)
        row, outcome = stripe_event_apply(event)
        if outcome in (Outcome.FAILED, Outcome.STRIPE_UNAVAILABLE):
            # The one deliberate 500: Stripe retries until we answer 2xx. The details stay on
            # the stored row (admin, replay command), never in the response.
            return Response(
                {"error": f"Event {row.stripe_event_id} could not be applied; it will be retried."},
                status=500,
            )
        return Response({"received": True, "duplicate": outcome is Outcome.DUPLICATE})


class StripeConnectWebhookView(StripeWebhookView):
    """The Connect endpoint: Stripe signs it with its own secret. Its events (account.updated,
    payout.*) go through the same intake as the platform's, so a copy delivered to both
    endpoints is applied once."""

    def signing_secret(self) -> str:
        return settings.STRIPE_CONNECT_WEBHOOK_SECRET
