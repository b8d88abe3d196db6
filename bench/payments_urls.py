"""Bench-only urlconf: the whole app plus /bench/bare-webhook/, the baseline for benchmark (b).

The bare view does the one thing every delivery must cost, checking Stripe's signature (with the
app's own `stripe_client.construct_event`, so the same SDK code and secret), and nothing else:
no storage, no Stripe call, no DRF. The app's webhook under the same gunicorn is compared to it.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import stripe_client


@csrf_exempt
@require_POST
def bare_webhook(request: HttpRequest) -> JsonResponse:
    try:
        stripe_client.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
    except stripe_client.InvalidWebhook as e:
        return JsonResponse({"error": str(e)}, status=400)
    return JsonResponse({"received": True})


urlpatterns = [
    path("bench/bare-webhook/", bare_webhook),
    path("", include("config.urls")),
]

handler404 = "core.api.json_404"
handler500 = "core.api.json_500"
