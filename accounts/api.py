from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenObtainPairView

from accounts.login_throttle import check_password, lockout_message, retry_after
from accounts.models import User, canonical_email
from accounts.services import user_change_password, user_register, user_update
from core.api import ErrorSerializer
from core.ratelimit import RateLimited, rate_limit
from core.times import is_known_zone


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "timezone"]


class TimezoneField(serializers.CharField):
    """An IANA zone name of the list the trainers' zones come from (GET /trainers/choices/)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not is_known_zone(value):
            raise ValidationError(
                f"'{value}' is not a time zone of the list (IANA names such as 'Europe/London')."
            )
        return value


class RefuseUnknownFieldsMixin:
    """Any field the serializer does not take (staff flags, a typo) is refused, not dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["This field is not allowed."] for name in unknown})
        return super().to_internal_value(data)


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=[User.Role.CLIENT, User.Role.TRAINER])
        timezone = TimezoneField(required=False, default="UTC")

        def validate_email(self, value):
            if User.objects.filter(email=canonical_email(value)).exists():
                raise ValidationError("A user with this email already exists.")
            return value

    @extend_schema(
        request=InputSerializer, responses={201: UserOutputSerializer, 429: ErrorSerializer}
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(
            request,
            scope="register",
            rate_setting="REGISTRATION_RATE",
            what="new accounts from your address",
        )
        user = user_register(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(TokenObtainPairView):
    """Email + password -> {access, refresh}; too many attempts answer 429 with Retry-After
    (the login throttle shared with the web and admin logins: accounts/login_throttle.py)."""

    @extend_schema(responses={200: TokenObtainPairSerializer, 429: ErrorSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            if getattr(request._request, "axes_locked_out", False):
                email = request.data.get("email", "") if hasattr(request.data, "get") else ""
                wait = retry_after(request, str(email))
                raise RateLimited(wait=wait, detail=lockout_message(wait)) from None
            raise AuthenticationFailed(
                "No active account found with the given email and password."
            ) from None
        # A token is a login like a session's: the signal clears the throttle's count and
        # records last_login.
        user_logged_in.send(sender=type(serializer.user), request=request, user=serializer.user)
        return Response(serializer.validated_data)


class TokenRefreshInputSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, refusing (401) the token of a deleted or disabled user (its own
    lookup raised DoesNotExist, a 500) and one issued before the password last changed (it only
    checks that on access tokens)."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = User.objects.filter(pk=refresh.get(jwt_settings.USER_ID_CLAIM)).first()
        if (
            user is None
            or not user.is_active
            or refresh.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password)
        ):
            raise AuthenticationFailed("This session has ended. Please log in again.")
        return super().validate(attrs)


class PasswordChangeApi(APIView):
    """Change your password: every token issued before stops working; the answer carries new
    ones. The current password is checked through the login throttle."""

    class InputSerializer(serializers.Serializer):
        current_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        access = serializers.CharField()
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 429: ErrorSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        checked, wait = check_password(request, user.email, data["current_password"])
        if wait:
            raise RateLimited(wait=wait, detail=lockout_message(wait))
        if checked is None:
            raise ValidationError({"current_password": ["This is not your current password."]})
        try:
            user_change_password(user=user, new_password=data["new_password"])
        except DjangoValidationError as e:
            raise ValidationError({"new_password": e.messages}) from None
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class LogoutApi(APIView):
    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={205: None})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
            if (
                token.get("user_id") != str(request.user.pk)
                and token.get("user_id") != request.user.pk
            ):
                raise ValidationError({"refresh": ["This refresh token is not yours."]})
            token.blacklist()
        except TokenError as e:
            raise ValidationError({"refresh": [str(e)]}) from None
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
        timezone = TimezoneField(required=False)

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses=UserOutputSerializer)
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)
