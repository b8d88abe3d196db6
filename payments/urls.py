"""Routes of the payment API and Stripe's webhook."""

from django.urls import path

from payments import api
from payments.webhooks import StripeConnectWebhookView, StripeWebhookView

urlpatterns = [
    path("", api.PaymentListApi.as_view(), name="payment-list"),
    path(
        "create-payment-intent/",
        api.PaymentIntentCreateApi.as_view(),
        name="payment-create-intent",
    ),
    path("<int:payment_id>/", api.PaymentDetailApi.as_view(), name="payment-detail"),
    path("<int:payment_id>/refund/", api.PaymentRefundApi.as_view(), name="payment-refund"),
    path("webhook/", StripeWebhookView.as_view(), name="payment-webhook"),
    path("webhook/connect/", StripeConnectWebhookView.as_view(), name="payment-webhook-connect"),
]
