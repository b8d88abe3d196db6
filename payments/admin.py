from django.contrib import admin
from django.utils import timezone

from core.admin import CappedCountPaginator, ViewOnlyAdminMixin
from core.money import format_amount
from payments import stripe_client
from payments.models import Payment, PaymentAlert, Refund, Transfer, TransferReversal, WebhookEvent
from payments.transfer_admin import TransferAdmin, TransferReversalAdmin
from payments.webhook_admin import WebhookEventAdmin


def _money(obj, field: str) -> str:
    return f"{format_amount(getattr(obj, field), obj.currency)} {obj.currency.upper()}"


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["created_at", "amount_display", "status", "source", "reason", "requested_by"]
    fields += ["stripe_refund_id", "failure_message"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return _money(obj, "amount")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Browse payments; nothing here changes money.

    Amounts, fees, refunds and statuses come from Stripe and our services (refunds through the
    API or a booking cancellation), so every field is read-only: an edited amount or status would
    disagree with what Stripe charged, and refund_amount is derived from the Refund rows.
    """

    list_display = [
        "id",
        "booking",
        "client_email",
        "trainer_email",
        "amount_display",
        "outcome",
        "payment_method_type",
        "created_at",
    ]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = [
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "refunds__stripe_refund_id",
        "booking__client__email",
        "booking__trainer__user__email",
    ]
    list_select_related = ["booking__client", "booking__trainer__user"]
    # The list stays as fast at a million payments as at a thousand: no full count (twice:
    # filtered and unfiltered) and no date hierarchy (its year links are a DISTINCT over every
    # row), no filter by payment method (card only; its links are another DISTINCT); the
    # created_at filter picks periods instead.
    paginator = CappedCountPaginator
    show_full_result_count = False
    inlines = [RefundInline]
    fieldsets = [
        ("Booking information", {"fields": ["booking", "client_email", "trainer_email"]}),
        (
            "Stripe information",
            {
                "fields": [
                    "stripe_payment_intent_id",
                    "stripe_charge_id",
                    "stripe_customer_id",
                    "receipt_url",
                ]
            },
        ),
        (
            "Payment details",
            {
                "fields": [
                    "amount_display",
                    "currency",
                    "outcome",
                    "status",
                    "payment_method_type",
                    "card_brand",
                    "card_last4",
                    "succeeded_at",
                    "review_reason",
                    "refund_in_full_reason",
                ]
            },
        ),
        (
            "Platform fees",
            {
                "fields": [
                    "platform_fee_percentage",
                    "platform_fee_display",
                    "trainer_payout_display",
                ]
            },
        ),
        (
            "Refund information",
            {"fields": ["refund_amount_display", "refund_reason", "refunded_at"]},
        ),
        ("Error information", {"fields": ["failure_code", "failure_message"]}),
        (
            "Disputes",
            {"fields": ["dispute_id", "dispute_status"], "classes": ["collapse"]},
        ),
        ("Metadata", {"fields": ["metadata", "created_at", "updated_at"]}),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]

    @admin.display(description="Outcome", ordering="status")
    def outcome(self, obj):
        """A declined attempt reads as declined, with the bank's words: the checkout cancels it
        right after the decline (so the next card starts afresh), and "Canceled" alone hid
        that a card was refused."""
        declined = obj.status == Payment.Status.FAILED or (
            obj.status == Payment.Status.CANCELED
            and obj.failure_code in stripe_client.CARD_ERROR_CODES
        )
        if declined:
            return f"Declined: {obj.failure_message or obj.failure_code}"
        if obj.failure_message:
            return f"{obj.get_status_display()}: {obj.failure_message}"
        return obj.get_status_display()

    @admin.display(description="Client", ordering="booking__client__email")
    def client_email(self, obj):
        return obj.booking.client.email

    @admin.display(description="Trainer", ordering="booking__trainer__user__email")
    def trainer_email(self, obj):
        return obj.booking.trainer.user.email

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj):
        return _money(obj, "amount")

    @admin.display(description="Platform fee")
    def platform_fee_display(self, obj):
        return _money(obj, "platform_fee_amount")

    @admin.display(description="Trainer payout")
    def trainer_payout_display(self, obj):
        return _money(obj, "trainer_payout_amount")

    @admin.display(description="Refunded")
    def refund_amount_display(self, obj):
        return _money(obj, "refund_amount")


@admin.register(Refund)
class RefundAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "payment", "amount_display", "status", "source", "created_at"]
    list_filter = ["status", "source", ("created_at", admin.DateFieldListFilter)]
    search_fields = [
        "stripe_refund_id",
        "payment__stripe_payment_intent_id",
        "payment__booking__client__email",
        "payment__booking__trainer__user__email",
        "requested_by__email",
    ]
    list_select_related = ["payment"]
    fields = [
        "payment",
        "stripe_refund_id",
        "amount_display",
        "currency",
        "status",
        "source",
        "reason",
        "requested_by",
        "failure_message",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj):
        return _money(obj, "amount")


class OpenFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(PaymentAlert)
class PaymentAlertAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Money that needs a person. Resolve an alert once it is dealt with (in Stripe, or by a
    refund from the payment); reconcile_payments exits non-zero while any is open."""

    list_display = ["id", "created_at", "kind", "payment", "stripe_id", "message", "resolved_at"]
    list_filter = [OpenFilter, "kind"]
    search_fields = ["stripe_id", "message", "payment__stripe_payment_intent_id"]
    list_select_related = ["payment"]
    fields = ["kind", "payment", "stripe_id", "message", "created_at", "resolved_at"]
    readonly_fields = fields
    actions = ["mark_resolved"]

    @admin.action(description="Mark the selected alerts resolved")
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, f"{count} alert(s) marked resolved.")


admin.site.register(WebhookEvent, WebhookEventAdmin)
admin.site.register(Transfer, TransferAdmin)
admin.site.register(TransferReversal, TransferReversalAdmin)
