"""Browse the ledger: transactions per payment and per trainer, accounts with their balances,
and the results of verify_ledger. Nothing here writes: the ledger is posted by the payments
code and never edited (ledger.models)."""

from django.contrib import admin
from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.admin import ViewOnlyAdminMixin
from core.money import SUPPORTED_CURRENCIES, format_amount
from ledger.models import Account, Entry, Transaction, Verification


def _money(amount: int, currency: str) -> str:
    return f"{format_amount(amount, currency)} {currency.upper()}"


def transactions_url(**filters) -> str:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{reverse('admin:ledger_transaction_changelist')}?{query}"


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ["account", "debit", "credit"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__trainer__user")

    @admin.display(description="Debit")
    def debit(self, obj):
        return _money(obj.amount, obj.currency) if obj.amount > 0 else ""

    @admin.display(description="Credit")
    def credit(self, obj):
        return _money(-obj.amount, obj.currency) if obj.amount < 0 else ""


class AccountFilter(admin.SimpleListFilter):
    """?account=<id>: the transactions with an entry in that account (linked from the accounts'
    list; only the chosen account is offered, there is one per trainer)."""

    title = "account"
    parameter_name = "account"

    def _account_id(self) -> int | None:
        value = self.value() or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    def lookups(self, request, model_admin):
        if self.value() is None:
            return []
        account = Account.objects.filter(pk=self._account_id()).first()
        return [(self.value(), str(account) if account else "no such account")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self._account_id() is None:
            return queryset.none()
        return queryset.filter(entries__account_id=self._account_id()).distinct()


@admin.register(Transaction)
class TransactionAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Every movement of money. Per payment: the payment's link (or ?payment__id__exact=N);
    per trainer: the trainer's link (or ?trainer__id__exact=N, or search their email)."""

    list_display = ["created_at", "kind", "key", "payment_link", "trainer_link", "amount"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter), AccountFilter]
    search_fields = ["key", "stripe_id", "=payment__id", "trainer__user__email"]
    list_select_related = ["trainer__user"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]
    fields = ["key", "kind", "payment", "refund", "trainer", "stripe_id", "description"]
    fields += ["created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The amount moved: the sum of the debits (a posting has one currency).
        return (
            super()
            .get_queryset(request)
            .annotate(
                moved=Sum("entries__amount", filter=Q(entries__amount__gt=0)),
                currency=Max("entries__currency"),
            )
        )

    @admin.display(description="Payment", ordering="payment_id")
    def payment_link(self, obj):
        if obj.payment_id is None:
            return "-"
        return format_html(
            '<a href="{}">payment {}</a>',
            transactions_url(payment__id__exact=obj.payment_id),
            obj.payment_id,
        )

    @admin.display(description="Trainer", ordering="trainer__user__email")
    def trainer_link(self, obj):
        if obj.trainer_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            transactions_url(trainer__id__exact=obj.trainer_id),
            obj.trainer.user.email,
        )

    @admin.display(description="Amount moved", ordering="moved")
    def amount(self, obj):
        return _money(obj.moved or 0, obj.currency) if obj.currency else "-"


@admin.register(Account)
class AccountAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The accounts and their balances per currency (an account's normal sign: what the platform
    has, owes, earned or lost reads positive)."""

    list_display = ["__str__", "balances", "transactions"]
    list_filter = ["kind"]
    search_fields = ["trainer__user__email"]
    list_select_related = ["trainer__user"]

    def get_queryset(self, request):
        per_currency = {
            f"balance_{c}": Sum("entries__amount", filter=Q(entries__currency=c))
            for c in SUPPORTED_CURRENCIES
        }
        return super().get_queryset(request).annotate(**per_currency)

    @admin.display(description="Balance")
    def balances(self, obj):
        shown = [
            (_money(obj.sign * total, c),)
            for c in SUPPORTED_CURRENCIES
            if (total := getattr(obj, f"balance_{c}", None)) is not None
        ]
        return format_html_join(", ", "{}", shown) if shown else "-"

    @admin.display(description="Transactions")
    def transactions(self, obj):
        return format_html('<a href="{}">browse</a>', transactions_url(account=obj.pk))


@admin.register(Verification)
class VerificationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The results of manage.py verify_ledger, the latest first (reconciliation runs it as its
    last step)."""

    list_display = ["started_at", "ok", "summary", "period_start", "period_end"]
    list_filter = ["ok", "exit_code"]
    fields = ["started_at", "finished_at", "period_start", "period_end", "ok", "exit_code"]
    fields += ["differences", "report_text"]
    readonly_fields = fields

    @admin.display(description="Report")
    def report_text(self, obj):
        return format_html("<pre>{}</pre>", obj.report)
