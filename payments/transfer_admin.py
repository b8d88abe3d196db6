"""The admin's view of trainers' transfers and their reversals: browse them, see the held ones,
hold a transfer that is not sent yet, release it (or send a refused one again)."""

from django.contrib import admin, messages

from core.admin import ViewOnlyAdminMixin
from core.money import format_amount
from payments.commands.transfers import transfer_hold, transfer_release
from payments.models import TransferReversal


def _money(obj) -> str:
    return f"{format_amount(obj.amount, obj.currency)} {obj.currency.upper()}"


class ReversalInline(admin.TabularInline):
    model = TransferReversal
    extra = 0
    can_delete = False
    fields = ["created_at", "amount_display", "status", "reason", "stripe_reversal_id"]
    fields += ["failure_message"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return _money(obj)

    def has_add_permission(self, request, obj=None):
        return False


class HeldFilter(admin.SimpleListFilter):
    title = "payout"
    parameter_name = "payout"

    def lookups(self, request, model_admin):
        return [("held", "Held"), ("waiting", "Waiting to be sent"), ("failed", "Refused")]

    def queryset(self, request, queryset):
        statuses = {"held": "held", "waiting": "pending", "failed": "failed"}
        if self.value() in statuses:
            return queryset.filter(status=statuses[self.value()])
        return queryset


class TransferAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Amounts and statuses come from the completion, the refunds and Stripe: read-only. The
    actions hold a transfer before it is sent, and release it."""

    list_display = ["id", "booking", "trainer", "amount_display", "status", "sent_at"]
    list_display += ["stripe_transfer_id"]
    list_filter = [HeldFilter, "status", "currency"]
    search_fields = ["=id", "=booking__id", "stripe_transfer_id", "trainer__user__email"]
    list_select_related = ["trainer__user", "booking"]
    readonly_fields = [
        "booking", "payment", "trainer", "amount_display", "status", "stripe_transfer_id",
        "destination", "source_transaction", "hold_reason", "failure_message", "sent_at",
        "created_at", "updated_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [ReversalInline]
    actions = ["hold", "release"]

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return _money(obj)

    def has_change_permission(self, request, obj=None):
        # The actions need it on the list; every field stays read-only.
        return request.user.is_staff and obj is None

    @admin.action(description="Hold the selected transfers (not sent ones)")
    def hold(self, request, queryset):
        reason = f"Held by {request.user.email}."
        held = sum(transfer_hold(pk, reason=reason) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{held} transfer(s) held.", messages.SUCCESS)

    @admin.action(description="Release the selected transfers (send held or refused ones)")
    def release(self, request, queryset):
        released = sum(transfer_release(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{released} transfer(s) released.", messages.SUCCESS)


class TransferReversalAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "transfer", "amount_display", "status", "reason", "stripe_reversal_id"]
    list_filter = ["status"]
    search_fields = ["=id", "=transfer__id", "stripe_reversal_id"]
    list_select_related = ["transfer"]

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return _money(obj)
