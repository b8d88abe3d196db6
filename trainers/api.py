import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.money import (
    CURRENCY_DECIMALS,
    SUPPORTED_CURRENCIES,
    format_amount,
)
from reviews.selectors import reviews_visible, trainer_rating
from trainers.choices import LANGUAGES, SPECIALTIES, timezone_names
from trainers.models import AvailabilityOverride, TrainerProfile
from trainers.selectors import (
    availability_overrides_upcoming,
    trainer_directory,
    trainer_directory_qs,
    trainer_public_qs,
    trainer_slots,
    trainers_attach_next_free,
)
from trainers.services import (
    availability_override_add,
    availability_override_remove,
    availability_replace,
    trainer_calendar_feed_revoke,
    trainer_calendar_feed_rotate,
    trainer_photo_remove,
    trainer_photo_set,
    trainer_profile_ensure,
    trainer_profile_update,
)
from trainers.validation import (
    MAX_LANGUAGES,
    MAX_SPECIALTIES,
    MAX_WINDOWS,
    currency_clean,
    hhmm_clean,
    hourly_rate_clean,
    tags_clean,
    timezone_clean,
)


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
    photo_url = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    review_count = serializers.SerializerMethodField()

    class Meta:
        model = TrainerProfile
        fields = [
            "id",
            "first_name",
            "last_name",
            "headline",
            "bio",
            "specialties",
            "languages",
            "hourly_rate",
            "currency",
            "timezone",
            "accepting_bookings",
            "photo_url",
            "avatar_url",
            "rating",
            "review_count",
        ]

    def get_photo_url(self, profile) -> str | None:
        """The uploaded photo (absolute URL), or null while there is none."""
        if not profile.photo:
            return None
        request = self.context.get("request")
        url = profile.photo.url
        return request.build_absolute_uri(url) if request is not None else url

    def get_avatar_url(self, profile) -> str:
        """What to show: the photo, or a generated initials avatar (an SVG data: URI)."""
        return self.get_photo_url(profile) or profile.avatar_url

    def get_rating(self, profile) -> str | None:
        """Average of the visible reviews, 1.00 to 5.00 ("4.67"); null without reviews."""
        rating = trainer_rating(**_review_totals(profile))
        return None if rating is None else str(rating)

    def get_review_count(self, profile) -> int:
        return _review_totals(profile)["review_count"]


def _review_totals(profile) -> dict:
    """The profile's annotations (trainer_directory_qs), or one query for a profile without."""
    if not hasattr(profile, "review_count"):
        totals = (
            reviews_visible()
            .filter(trainer=profile)
            .aggregate(review_count=Count("id"), rating_sum=Sum("rating"))
        )
        profile.review_count = totals["review_count"]
        profile.rating_sum = totals["rating_sum"] or 0
    return {"review_count": profile.review_count, "rating_sum": profile.rating_sum}


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

    def validate_start(self, value):
        return hhmm_clean(value)

    def validate_end(self, value):
        return hhmm_clean(value)


RATE_FILTER = {
    "regex": r"^\d{1,8}(\.\d{1,2})?$",
    "required": False,
    "error_messages": {"invalid": 'Use a decimal amount such as "80.00".'},
}
SORTS = {
    "rating": "highest average rating first (unrated last)",
    "price": "lowest hourly rate first",
    "-price": "highest hourly rate first",
    "soonest": "earliest free hour first (none in two weeks last)",
}


class TrainerListApi(ListAPIView):
    """Public directory of bookable trainers, with each one's next free hour-long slot."""

    permission_classes = [AllowAny]
    serializer_class = TrainerPublicSerializer

    class OutputSerializer(TrainerPublicSerializer):
        next_available = serializers.DateTimeField(
            allow_null=True,
            help_text="Start of the first free 60-minute slot in the next 14 days (UTC), or null",
        )

        class Meta(TrainerPublicSerializer.Meta):
            fields = [*TrainerPublicSerializer.Meta.fields, "next_available"]

    class FilterSerializer(serializers.Serializer):
        specialty = serializers.CharField(required=False, max_length=40)
        language = serializers.CharField(required=False, max_length=10)
        min_rate = serializers.RegexField(**RATE_FILTER)
        max_rate = serializers.RegexField(**RATE_FILTER)
        day = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
        q = serializers.CharField(required=False, max_length=100)
        sort = serializers.ChoiceField(choices=list(SORTS), required=False)

        def validate_specialty(self, value):
            return tags_clean([value], SPECIALTIES, "specialty")[0]

        def validate_language(self, value):
            return tags_clean([value], LANGUAGES, "language")[0]

        def validate(self, attrs):
            for name in ("min_rate", "max_rate"):
                if name in attrs:
                    attrs[name] = Decimal(attrs[name])
            if attrs.get("min_rate", 0) > attrs.get("max_rate", attrs.get("min_rate", 0)):
                raise ValidationError({"min_rate": ["min_rate is above max_rate."]})
            return attrs

    def get_serializer_class(self):
        return self.OutputSerializer

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return trainer_directory(**filters.validated_data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and not all(hasattr(t, "next_available") for t in page):
            trainers_attach_next_free(page)
        return page

    @extend_schema(
        parameters=[
            OpenApiParameter("specialty", str, description="A value of /trainers/choices/"),
            OpenApiParameter("language", str, description="A value of /trainers/choices/, e.g. ja"),
            OpenApiParameter("min_rate", str, description='Lowest hourly rate, "40.00"'),
            OpenApiParameter("max_rate", str, description='Highest hourly rate, "80.00"'),
            OpenApiParameter(
                "day",
                dt.date,
                description="YYYY-MM-DD: only trainers with a free hour that day (their date)",
            ),
            OpenApiParameter("q", str, description="Words matched in name, headline, bio, tags"),
            OpenApiParameter(
                "sort",
                str,
                enum=list(SORTS),
                description="; ".join(f"{k}: {v}" for k, v in SORTS.items()),
            ),
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
        trainer = get_object_or_404(trainer_directory_qs().prefetch_related("availability"), pk=pk)
        return Response(self.OutputSerializer(trainer, context={"request": request}).data)


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
        headline = serializers.CharField(max_length=120, required=False, allow_blank=True)
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        specialties = serializers.ListField(
            child=serializers.CharField(max_length=40),
            max_length=MAX_SPECIALTIES,
            required=False,
        )
        languages = serializers.ListField(
            child=serializers.CharField(max_length=10),
            max_length=MAX_LANGUAGES,
            required=False,
        )
        hourly_rate = RateField(required=False)
        currency = serializers.CharField(required=False)
        timezone = serializers.CharField(max_length=64, required=False)
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
            return tags_clean(value, SPECIALTIES, "specialty")

        def validate_languages(self, value):
            return tags_clean(value, LANGUAGES, "language")

        def validate_timezone(self, value):
            return timezone_clean(value)

        def validate_currency(self, value):
            return currency_clean(value)

        def validate(self, attrs):
            assert self.profile is not None, "InputSerializer needs profile= to validate"
            currency = attrs.get("currency", self.profile.currency)
            if "hourly_rate" in attrs:
                try:
                    attrs["hourly_rate"] = hourly_rate_clean(attrs["hourly_rate"], currency)
                except DjangoValidationError as e:
                    raise ValidationError({"hourly_rate": e.messages}) from None
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
        return Response(self.OutputSerializer(profile, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request):
        profile = trainer_profile_ensure(user=request.user)
        serializer = self.InputSerializer(data=request.data, profile=profile)
        serializer.is_valid(raise_exception=True)
        profile = trainer_profile_update(profile=profile, **serializer.validated_data)
        return Response(self.OutputSerializer(profile, context={"request": request}).data)


class TrainerMePhotoApi(APIView):
    """The trainer's photo: PUT a JPEG, PNG or WebP (multipart field `photo`, at most 5 MB, at
    least 200 x 200 px); it is cropped square, resized to 512 px and stored without metadata.
    DELETE goes back to the initials avatar."""

    permission_classes = [IsAuthenticated, IsTrainer]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        photo = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses=TrainerMeApi.OutputSerializer
    )
    def put(self, request):
        profile = trainer_profile_ensure(user=request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = trainer_photo_set(profile=profile, upload=serializer.validated_data["photo"])
        return Response(TrainerMeApi.OutputSerializer(profile, context={"request": request}).data)

    @extend_schema(request=None, responses=TrainerMeApi.OutputSerializer)
    def delete(self, request):
        profile = trainer_photo_remove(profile=trainer_profile_ensure(user=request.user))
        return Response(TrainerMeApi.OutputSerializer(profile, context={"request": request}).data)


class TrainerMeCalendarApi(APIView):
    """The trainer's private iCal feed of their sessions (confirmed and completed, from 30 days
    ago on), for a calendar app to subscribe to. GET shows its URL (null: none), POST makes a
    new one (the old URL stops working), DELETE turns the feed off. Anyone with the URL can
    read the feed: share it with nobody."""

    permission_classes = [IsAuthenticated, IsTrainer]

    class OutputSerializer(serializers.Serializer):
        feed_url = serializers.URLField(allow_null=True)

    def _answer(self, request, profile):
        url = None
        if profile.calendar_token:
            path = reverse("trainer-calendar-feed", args=[profile.calendar_token])
            url = request.build_absolute_uri(path)
        return Response({"feed_url": url})

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return self._answer(request, trainer_profile_ensure(user=request.user))

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request):
        profile = trainer_profile_ensure(user=request.user)
        trainer_calendar_feed_rotate(profile=profile)
        return self._answer(request, profile)

    @extend_schema(request=None, responses=OutputSerializer)
    def delete(self, request):
        profile = trainer_profile_ensure(user=request.user)
        trainer_calendar_feed_revoke(profile=profile)
        return self._answer(request, profile)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class CurrencyChoiceSerializer(ChoiceSerializer):
    decimals = serializers.IntegerField(help_text="Digits after the point in amounts")


class TrainerChoicesApi(APIView):
    """The pick lists of a trainer's profile: what the API accepts, with labels for people."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        specialties = serializers.ListField(child=ChoiceSerializer())
        languages = serializers.ListField(child=ChoiceSerializer())
        currencies = serializers.ListField(child=CurrencyChoiceSerializer())
        timezones = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(
            {
                "specialties": [{"value": k, "label": v} for k, v in SPECIALTIES.items()],
                "languages": [
                    {"value": k, "label": v}
                    for k, v in sorted(LANGUAGES.items(), key=lambda item: item[1])
                ],
                "currencies": [
                    {"value": c, "label": c.upper(), "decimals": CURRENCY_DECIMALS[c]}
                    for c in SUPPORTED_CURRENCIES
                ],
                "timezones": list(timezone_names()),
            }
        )


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


class OverrideSerializer(serializers.Serializer):
    """A date that differs from the weekly schedule: {date, kind: "day_off"} or
    {date, kind: "extra", start: "HH:MM", end: "HH:MM"}, in the trainer's time zone."""

    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(input_formats=["%Y-%m-%d"])
    kind = serializers.ChoiceField(choices=AvailabilityOverride.Kind.choices)
    start = serializers.CharField(required=False, allow_null=True)
    end = serializers.CharField(required=False, allow_null=True)

    def to_representation(self, override):
        return {
            "id": override.id,
            "date": override.date.isoformat(),
            "kind": override.kind,
            "start": override.start_time.strftime("%H:%M") if override.start_time else None,
            "end": override.end_time.strftime("%H:%M") if override.end_time else None,
        }

    def validate_start(self, value):
        return None if value is None else hhmm_clean(value)

    def validate_end(self, value):
        return None if value is None else hhmm_clean(value)

    def validate(self, attrs):
        times = {k: attrs.get(k) for k in ("start", "end")}
        if attrs["kind"] == AvailabilityOverride.Kind.EXTRA:
            missing = {
                k: ["Extra hours need a start and an end."] for k, v in times.items() if not v
            }
            if missing:
                raise ValidationError(missing)
        elif any(times.values()):
            raise ValidationError({"kind": ["A day off has no start or end."]})
        return attrs


class TrainerMeOverridesApi(GenericAPIView):
    """Upcoming day-offs and extra hours (GET, paginated, soonest first); POST adds one."""

    permission_classes = [IsAuthenticated, IsTrainer]
    serializer_class = OverrideSerializer

    @extend_schema(responses=OverrideSerializer(many=True))
    def get(self, request):
        profile = trainer_profile_ensure(user=request.user)
        page = self.paginate_queryset(availability_overrides_upcoming(trainer=profile))
        return self.get_paginated_response(OverrideSerializer(page, many=True).data)

    @extend_schema(request=OverrideSerializer, responses={201: OverrideSerializer})
    def post(self, request):
        profile = trainer_profile_ensure(user=request.user)
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        override = availability_override_add(
            trainer=profile,
            date=data["date"],
            kind=data["kind"],
            start=data.get("start"),
            end=data.get("end"),
        )
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class TrainerMeOverrideDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, override_id: int):
        profile = trainer_profile_ensure(user=request.user)
        override = get_object_or_404(AvailabilityOverride, pk=override_id, trainer=profile)
        availability_override_remove(override=override)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
