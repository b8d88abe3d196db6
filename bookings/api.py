from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from bookings.reschedule import booking_reschedule
from bookings.selectors import booking_get_for, booking_list_for
from bookings.services import booking_cancel, booking_create
from core.api import ErrorSerializer
from core.money import format_amount
from core.ratelimit import rate_limit
from payments.selectors import booking_cancellation_preview
from trainers.models import TrainerProfile

# Ids beyond a 64-bit integer cannot exist; refusing them keeps them away from the database.
MAX_ID = 2**63 - 1


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset ("Z" or "+02:00"). DRF would read a naive time in the server's
    zone; a client in another zone would then book the wrong hour without noticing."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise ValidationError(
                    "Start time must include a UTC offset, e.g. 2030-01-31T10:00:00Z."
                )
        return super().to_internal_value(value)


class CancellationRefundSerializer(serializers.Serializer):
    amount = serializers.CharField()
    percent = serializers.CharField()
    rule = serializers.CharField()


class BookingCancelRefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.SerializerMethodField()
    status = serializers.CharField()

    def get_amount(self, refund) -> str:
        return format_amount(refund.amount, refund.currency)


class BookingOutputSerializer(serializers.ModelSerializer):
    """Needs the request in its context: `cancellation_refund` is the asking user's."""

    client_email = serializers.EmailField(source="client.email")
    trainer_id = serializers.IntegerField()
    trainer_email = serializers.EmailField(source="trainer.user.email")
    price = serializers.SerializerMethodField()
    cancellation_refund = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "client_email",
            "trainer_id",
            "trainer_email",
            "start_time",
            "end_time",
            "duration_minutes",
            "price",
            "currency",
            "status",
            "payment_status",
            "created_at",
            "hold_expires_at",
            "cancelled_at",
            "cancellation_reason",
            "cancellation_refund",
        ]

    def get_price(self, booking) -> str:
        return format_amount(booking.price, booking.currency)

    @extend_schema_field(CancellationRefundSerializer(allow_null=True))
    def get_cancellation_refund(self, booking):
        """What cancelling now would refund; null once the booking can no longer be cancelled."""
        if not booking.is_cancellable():
            return None
        quote = booking_cancellation_preview(booking=booking, actor=self.context["request"].user)
        return {
            "amount": format_amount(quote.refund_amount, booking.currency),
            "percent": f"{quote.percent.normalize():f}",
            "rule": quote.rule,
        }


class BookingCancelOutputSerializer(BookingOutputSerializer):
    refund = serializers.SerializerMethodField()

    class Meta(BookingOutputSerializer.Meta):
        fields = [*BookingOutputSerializer.Meta.fields, "refund"]

    @extend_schema_field(BookingCancelRefundSerializer(allow_null=True))
    def get_refund(self, booking):
        refund = self.context.get("refund")
        return BookingCancelRefundSerializer(refund).data if refund is not None else None


class BookingListCreateApi(GenericAPIView):
    serializer_class = BookingOutputSerializer

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Booking.Status.choices, required=False)
        upcoming = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        # Anything else in the body (price, status, client...) is ignored: those come from us.
        trainer_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        start_time = AwareDateTimeField()
        duration_minutes = serializers.IntegerField()

        def validate_trainer_id(self, value):
            trainer = TrainerProfile.objects.filter(pk=value).first()
            if trainer is None:
                raise ValidationError("No trainer with this id.")
            return trainer

    @extend_schema(parameters=[FilterSerializer], responses=BookingOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = booking_list_for(request.user, **filters.validated_data)
        page = self.paginate_queryset(qs)
        data = BookingOutputSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=InputSerializer,
        responses={201: BookingOutputSerializer, 409: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(
            request,
            scope="booking-create",
            rate_setting="BOOKING_CREATE_RATE",
            what="new bookings",
            key=f"user:{request.user.pk}",
        )
        data = serializer.validated_data
        booking = booking_create(
            client=request.user,
            trainer=data["trainer_id"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
        )
        return Response(
            BookingOutputSerializer(booking, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class BookingDetailApi(APIView):
    @extend_schema(responses=BookingOutputSerializer)
    def get(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        return Response(BookingOutputSerializer(booking, context={"request": request}).data)


class BookingCancelApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: BookingCancelOutputSerializer, 409: ErrorSerializer},
    )
    def post(self, request, booking_id: int):
        # Visible means cancellable: the client, the trainer and admins see it, nobody else.
        booking = booking_get_for(request.user, booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking, refund = booking_cancel(
            booking=booking, actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        context = {"request": request, "refund": refund}
        return Response(BookingCancelOutputSerializer(booking, context=context).data)


class BookingRescheduleApi(APIView):
    """The client moves their paid session to another free time of the same trainer, at the
    same price, while cancelling would still refund it in full; both are emailed the new time."""

    class InputSerializer(serializers.Serializer):
        start_time = AwareDateTimeField()

    @extend_schema(
        request=InputSerializer, responses={200: BookingOutputSerializer, 409: ErrorSerializer}
    )
    def post(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_reschedule(
            booking=booking, actor=request.user, start_time=serializer.validated_data["start_time"]
        )
        return Response(BookingOutputSerializer(booking, context={"request": request}).data)
