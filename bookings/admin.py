from django.contrib import admin, messages

from bookings.models import Booking
from bookings.services import booking_cancel
from core.errors import DomainError
from core.money import format_amount


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "client",
        "trainer",
        "start_time",
        "status",
        "payment_status",
        "price_display",
    ]
    list_filter = ["status", "payment_status", ("start_time", admin.DateFieldListFilter)]
    search_fields = ["client__email", "trainer__user__email"]
    list_select_related = ["client", "trainer__user"]
    date_hierarchy = "start_time"
    # Bookings change only through the services: a time or trainer edited here would skip the
    # overlap check and availability, a price or status would disagree with what Stripe charged.
    # Admins cancel with the action below (the policy's refund applies).
    readonly_fields = [
        "client",
        "trainer",
        "start_time",
        "end_time",
        "duration_minutes",
        "price_display",
        "currency",
        "status",
        "payment_status",
        "hold_expires_at",
        "cancelled_at",
        "cancelled_by",
        "calendar_sequence",
        "created_at",
        "updated_at",
    ]
    exclude = ["price"]
    actions = ["cancel_selected"]

    @admin.display(description="Price", ordering="price")
    def price_display(self, booking):
        return f"{format_amount(booking.price, booking.currency)} {booking.currency.upper()}"

    def has_add_permission(self, request):
        # New bookings go through booking_create (trainer lock, overlap check, server price).
        return False

    def get_search_results(self, request, queryset, search_term):
        # A booking id is searchable too (the text fields alone would never match "42").
        base = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isascii() and term.isdigit() and len(term) < 19:  # isdigit() accepts "²"
            queryset |= base.filter(pk=int(term))
        return queryset, may_have_duplicates

    @admin.action(description="Cancel selected bookings (refunds by the cancellation policy)")
    def cancel_selected(self, request, queryset):
        done = 0
        for booking in queryset:
            try:
                booking_cancel(booking=booking, actor=request.user, reason="Cancelled by an admin.")
            except DomainError as e:  # already cancelled, Stripe down
                self.message_user(request, f"{booking}: {e.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"Cancelled {done} booking(s).")
