from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView

from accounts import throttling
from accounts.models import User
from accounts.services import user_register
from core.api import ErrorSerializer


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role"]


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=[User.Role.CLIENT, User.Role.TRAINER])

        def validate_email(self, value):
            if User.objects.filter(email__iexact=value).exists():
                raise ValidationError("A user with this email already exists.")
            return value

        def to_internal_value(self, data):
            # Staff flags and any other unknown field are refused, not silently dropped.
            if isinstance(data, dict):
                unknown = sorted(set(data) - set(self.fields))
                if unknown:
                    raise ValidationError(
                        {name: ["This field is not allowed."] for name in unknown}
                    )
            return super().to_internal_value(data)

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class TokenApi(TokenObtainPairView):
    """Email + password -> {access, refresh}; repeated failures answer 429 with Retry-After."""

    @extend_schema(responses={200: TokenObtainPairSerializer, 429: ErrorSerializer})
    def post(self, request, *args, **kwargs):
        email = str(request.data.get("email", "")) if hasattr(request.data, "get") else ""
        ip = _client_ip(request)
        wait = throttling.retry_after(email, ip)
        if wait:
            raise Throttled(
                wait=wait, detail=f"Too many failed logins. Try again in {wait} seconds."
            )
        try:
            response = super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            throttling.record_failure(email, ip)
            raise AuthenticationFailed(
                "No active account found with the given email and password."
            ) from None
        throttling.clear(email, ip)
        return response


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

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)
