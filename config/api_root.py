"""GET /api/v1/: where everything in the API is, so the address `make run` prints leads on."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# (name, URL name, what it is), in the order a newcomer meets them.
RESOURCES = [
    ("register", "auth-register", "POST: create a client or trainer account"),
    ("token", "auth-token", "POST email + password: access and refresh tokens"),
    ("token_refresh", "auth-token-refresh", "POST a refresh token: new tokens"),
    ("me", "auth-me", "GET, PATCH: your account (time zone)"),
    ("password", "auth-password", "POST: change your password"),
    ("trainers", "trainer-list", "GET: bookable trainers, filters specialty, max_rate, q"),
    ("trainer_choices", "trainer-choices", "GET: specialties, languages and time zones"),
    ("trainer_me", "trainer-me", "GET, PATCH: a trainer's own profile"),
    ("bookings", "booking-list", "GET: your bookings; POST: book a session"),
    ("payments", "payment-list", "GET: your payments"),
    ("create_payment_intent", "payment-create-intent", "POST: start paying a booking"),
    ("analytics_summary", "analytics:summary", "GET (admins): business figures"),
    ("analytics_earnings", "analytics:earnings", "GET (trainers): earnings per month"),
    ("schema", "schema", "the OpenAPI schema"),
    ("docs", "api-docs", "the API documentation (Swagger UI)"),
]


class ApiRoot(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Each resource's name -> {url, description}.",
    )
    def get(self, request):
        return Response(
            {
                name: {
                    "url": request.build_absolute_uri(reverse(url_name)),
                    "description": description,
                }
                for name, url_name, description in RESOURCES
            }
        )
