"""The payment API: list, detail, create a PaymentIntent, refund. Views validate, call one
service or selector, serialize."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.money import AmountError, format_amount, parse_amount
from payments.commands.intents import payment_intent_for_booking
from payments.commands.refunds import payment_refund
from payments.models import Payment, Refund
from payments.selectors import payment_list_for

# Ids beyond a 64-bit integer cannot exist; refusing them keeps them away from the database.
MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.STR)
class MoneyField(serializers.Field):
    """Minor units out as a decimal string in the row's currency ("75.00")."""

    def __init__(self, amount_source: str, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.amount_source = amount_source

    def to_representation(self, value):
        return format_amount(getattr(value, self.amount_source), value.currency)


def _money(name: str) -> MoneyField:
    return MoneyField(amount_source=name)


class PaymentListOutputSerializer(serializers.ModelSerializer):
    client_email = serializers.EmailField(source="booking.client.email")
    trainer_email = serializers.EmailField(source="booking.trainer.user.email")
    amount = _money("amount")
    platform_fee_amount = _money("platform_fee_amount")
    trainer_payout_amount = _money("trainer_payout_amount")

    class Meta:
        model = Payment
        fields = [
            "id",
            "booking_id",
            "client_email",
            "trainer_email",
            "amount",
            "platform_fee_amount",
            "trainer_payout_amount",
            "status",
            "payment_method_type",
            "card_brand",
            "card_last4",
            "receipt_url",
            "created_at",
        ]


class RefundOutputSerializer(serializers.ModelSerializer):
    amount = _money("amount")
    requested_by_email = serializers.EmailField(
        source="requested_by.email", default=None, allow_null=True
    )

    class Meta:
        model = Refund
        fields = [
            "id",
            "stripe_refund_id",
            "amount",
            "currency",
            "status",
            "reason",
            "source",
            "requested_by_email",
            "created_at",
        ]


class PaymentDetailOutputSerializer(PaymentListOutputSerializer):
    refund_amount = _money("refund_amount")
    refunds = RefundOutputSerializer(many=True)

    class Meta(PaymentListOutputSerializer.Meta):
        fields = [
            *PaymentListOutputSerializer.Meta.fields,
            "currency",
            "platform_fee_percentage",
            "refund_amount",
            "refunded_at",
            "refunds",
            "failure_code",
            "failure_message",
            "stripe_payment_intent_id",
        ]


def _detail_qs(user):
    return payment_list_for(user).prefetch_related(
        Prefetch("refunds", queryset=Refund.objects.select_related("requested_by"))
    )


class PaymentListApi(ListAPIView):
    """Clients see what they paid, trainers what they received, admins everything."""

    serializer_class = PaymentListOutputSerializer

    def get_queryset(self):
        return payment_list_for(self.request.user)


class PaymentDetailApi(APIView):
    @extend_schema(responses=PaymentDetailOutputSerializer)
    def get(self, request, payment_id: int):
        payment = get_object_or_404(_detail_qs(request.user), pk=payment_id)
        return Response(PaymentDetailOutputSerializer(payment).data)


class PaymentIntentCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        booking_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    class OutputSerializer(serializers.Serializer):
        client_secret = serializers.CharField(source="stripe_client_secret")
        payment_intent_id = serializers.CharField(source="stripe_payment_intent_id")
        payment_id = serializers.IntegerField(source="pk")
        amount = _money("amount")
        currency = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            502: ErrorSerializer,
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payment_intent_for_booking(
            booking_id=data.validated_data["booking_id"], user=request.user
        )
        return Response(self.OutputSerializer(payment).data)


@extend_schema_field(OpenApiTypes.STR)
class RawField(serializers.Field):
    """The value exactly as the JSON had it: parse_amount decides (it refuses floats)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class PaymentRefundApi(APIView):
    class InputSerializer(serializers.Serializer):
        amount = RawField(required=False, allow_null=True)
        reason = serializers.CharField(max_length=500)

    class OutputSerializer(serializers.Serializer):
        message = serializers.CharField()
        refund_id = serializers.CharField(allow_null=True)
        amount = serializers.CharField()
        payment = PaymentDetailOutputSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 502: ErrorSerializer})
    def post(self, request, payment_id: int):
        payment = get_object_or_404(payment_list_for(request.user), pk=payment_id)
        # Staff refund with the "add refund" permission (superusers have it), not with is_staff.
        if not (
            request.user.has_perm("payments.add_refund")
            or payment.booking.trainer.user_id == request.user.pk
        ):
            raise PermissionDenied(
                "Clients get refunds by cancelling their booking "
                f"(POST /api/v1/bookings/{payment.booking_id}/cancel/); the refund follows the "
                "cancellation policy."
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw_amount = data.validated_data.get("amount")
        try:
            amount = None if raw_amount is None else parse_amount(raw_amount, payment.currency)
        except AmountError as e:
            raise ValidationError({"amount": [str(e)]}) from None

        refund = payment_refund(
            payment=payment,
            amount=amount,
            reason=data.validated_data["reason"],
            requested_by=request.user,
            source=Refund.Source.API,
        )
        payment = _detail_qs(request.user).get(pk=payment.pk)
        message = (
            "Refund processed successfully"
            if refund.status == Refund.Status.SUCCEEDED
            else "Refund requested; Stripe is processing it"
        )
        body = {
            "message": message,
            "refund_id": refund.stripe_refund_id,
            "amount": format_amount(refund.amount, refund.currency),
            "payment": payment,
        }
        return Response(self.OutputSerializer(body).data)
