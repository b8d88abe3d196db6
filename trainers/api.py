import datetime as dt
import re
from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.money import SUPPORTED_CURRENCIES, AmountError, format_amount, parse_amount
from trainers.models import TrainerProfile, validate_timezone
from trainers.selectors import trainer_list, trainer_public_qs, trainer_slots
from trainers.services import availability_replace, trainer_profile_ensure, trainer_profile_update

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_WINDOWS = 70
MAX_SPECIALTIES = 20


@extend_schema_field(OpenApiTypes.STR)
class RateField(serializers.Field):
    """A rate as a decimal string ("75.00") out, and in. Floats are refused: they cannot hold
    cents exactly. Parsing to minor units needs the currency, so it happens in validate()."""

    def to_representation(self, profile):
        return format_amount(profile.hourly_rate, profile.currency)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            raise ValidationError('Send the rate as a decimal string such as "75.00".')
        return data


class TrainerPublicSerializer(serializers.ModelSerializer):
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    hourly_rate = RateField(source="*")

    class Meta:
        model = TrainerProfile
        fields = [
            "id",
            "first_name",
            "last_name",
            "bio",
            "specialties",
            "hourly_rate",
            "currency",
            "timezone",
            "accepting_bookings",
        ]


class WindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = serializers.CharField()
    end = serializers.CharField()

    def to_representation(self, window):
        return {
            "weekday": window.weekday,
            "start": window.start_time.strftime("%H:%M"),
            "end": window.end_time.strftime("%H:%M"),
        }

    def _time(self, value):
        if not HHMM.match(value):
            raise ValidationError('Use 24-hour "HH:MM", e.g. "09:30".')
        return dt.time(int(value[:2]), int(value[3:]))

    def validate_start(self, value):
        return self._time(value)

    def validate_end(self, value):
        return self._time(value)


class TrainerListApi(ListAPIView):
    """Public directory of bookable trainers."""

    permission_classes = [AllowAny]
    serializer_class = TrainerPublicSerializer

    class FilterSerializer(serializers.Serializer):
        specialty = serializers.CharField(required=False, max_length=40)
        max_rate = serializers.RegexField(
            r"^\d{1,8}(\.\d{1,2})?$",
            required=False,
            error_messages={"invalid": 'Use a decimal amount such as "80.00".'},
        )
        q = serializers.CharField(required=False, max_length=100)

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        if "max_rate" in data:
            data["max_rate"] = Decimal(data["max_rate"])
        return trainer_list(**data)

    @extend_schema(
        parameters=[
            OpenApiParameter("specialty", str, description="e.g. strength"),
            OpenApiParameter("max_rate", str, description='Highest hourly rate, "80.00"'),
            OpenApiParameter("q", str, description="Words matched in name, bio or specialties"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TrainerDetailApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(TrainerPublicSerializer):
        availability = WindowSerializer(many=True, read_only=True)

        class Meta(TrainerPublicSerializer.Meta):
            fields = [*TrainerPublicSerializer.Meta.fields, "availability"]

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk):
        trainer = get_object_or_404(trainer_public_qs().prefetch_related("availability"), pk=pk)
        return Response(self.OutputSerializer(trainer).data)


class IsTrainer(BasePermission):
    message = "Only trainers have a trainer profile."

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.is_trainer


class TrainerMeApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    class OutputSerializer(TrainerPublicSerializer):
        email = serializers.EmailField(source="user.email")

        class Meta(TrainerPublicSerializer.Meta):
            fields = ["id", "email", *TrainerPublicSerializer.Meta.fields[1:]]

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=150, required=False)
        last_name = serializers.CharField(max_length=150, required=False)
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        specialties = serializers.ListField(
            child=serializers.CharField(max_length=40),
            max_length=MAX_SPECIALTIES,
            required=False,
        )
        hourly_rate = RateField(required=False)
        currency = serializers.CharField(required=False)
        timezone = serializers.CharField(
            max_length=64, required=False, validators=[validate_timezone]
        )
        accepting_bookings = serializers.BooleanField(required=False)

        def __init__(self, *args, profile: TrainerProfile | None = None, **kwargs):
            self.profile = profile
            super().__init__(*args, **kwargs)

        def to_internal_value(self, data):
            # A field we don't change here (id, email, a typo) is refused, not silently dropped.
            if isinstance(data, dict):
                unknown = sorted(set(data) - set(self.fields))
                if unknown:
                    raise ValidationError(
                        {name: ["This field cannot be changed here."] for name in unknown}
                    )
            return super().to_internal_value(data)

        def validate_specialties(self, value):
            # Stored lower-case and de-duplicated, the form the specialty filter matches.
            tags = [t.strip().lower() for t in value]
            if any(not t for t in tags):
                raise ValidationError("Specialties cannot be blank.")
            return list(dict.fromkeys(tags))

        def validate_currency(self, value):
            value = value.lower()
            if value not in SUPPORTED_CURRENCIES:
                raise ValidationError(f"Use one of: {', '.join(SUPPORTED_CURRENCIES)}.")
            return value

        def validate(self, attrs):
            assert self.profile is not None, "InputSerializer needs profile= to validate"
            currency = attrs.get("currency", self.profile.currency)
            if "hourly_rate" in attrs:
                try:
                    attrs["hourly_rate"] = parse_amount(attrs["hourly_rate"], currency)
                except AmountError as e:
                    raise ValidationError({"hourly_rate": [str(e)]}) from None
            elif currency != self.profile.currency and self.profile.hourly_rate:
                # The stored rate is minor units of the old currency; reinterpreting 7500 cents
                # as 7500 yen would silently reprice every future session.
                raise ValidationError(
                    {"hourly_rate": ["Send the hourly rate in the new currency as well."]}
                )
            return attrs

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        profile = trainer_profile_ensure(user=request.user)
        return Response(self.OutputSerializer(profile).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request):
        profile = trainer_profile_ensure(user=request.user)
        serializer = self.InputSerializer(data=request.data, profile=profile)
        serializer.is_valid(raise_exception=True)
        profile = trainer_profile_update(profile=profile, **serializer.validated_data)
        return Response(self.OutputSerializer(profile).data)


def availability_windows_parse(data) -> list[dict]:
    """A week of {weekday, start, end} windows from outside (the API's JSON or the web form),
    field errors keyed like availability[1].end; order and overlaps are the service's checks."""
    if not isinstance(data, list):
        raise ValidationError(
            {"availability": ["Send a JSON array of {weekday, start, end} objects."]}
        )
    if len(data) > MAX_WINDOWS:
        raise ValidationError({"availability": [f"At most {MAX_WINDOWS} windows."]})
    errors, windows = {}, []
    for i, item in enumerate(data):
        serializer = WindowSerializer(data=item)
        if serializer.is_valid():
            windows.append(serializer.validated_data)
            continue
        for field, messages in serializer.errors.items():
            key = f"availability[{i}]" + ("" if field == "non_field_errors" else f".{field}")
            errors[key] = messages
    if errors:
        raise ValidationError(errors)
    return windows


class TrainerMeAvailabilityApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(responses=WindowSerializer(many=True))
    def get(self, request):
        profile = trainer_profile_ensure(user=request.user)
        return Response(WindowSerializer(profile.availability.all(), many=True).data)

    @extend_schema(request=WindowSerializer(many=True), responses=WindowSerializer(many=True))
    def put(self, request):
        profile = trainer_profile_ensure(user=request.user)
        windows = availability_replace(
            trainer=profile, windows=availability_windows_parse(request.data)
        )
        return Response(WindowSerializer(windows, many=True).data)


class TrainerSlotsApi(APIView):
    """Free start times for one day (the trainer's local date), as UTC ISO 8601 strings."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        date = serializers.DateField(input_formats=["%Y-%m-%d"])
        duration_minutes = serializers.IntegerField(min_value=30, max_value=180, default=60)

        def validate_duration_minutes(self, value):
            if value % 15:
                raise ValidationError("Must be a multiple of 15 minutes.")
            return value

    @extend_schema(
        parameters=[
            OpenApiParameter("date", dt.date, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("duration_minutes", int, description="30..180, step 15"),
        ],
        responses={200: {"type": "array", "items": {"type": "string", "format": "date-time"}}},
    )
    def get(self, request, pk):
        trainer = get_object_or_404(trainer_public_qs(), pk=pk)
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(
            trainer_slots(
                trainer=trainer,
                day=params.validated_data["date"],
                duration_minutes=params.validated_data["duration_minutes"],
            )
        )
