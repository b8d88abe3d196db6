from django.contrib import admin, messages

from notifications.models import EmailNotification
from notifications.services import notification_resend


@admin.register(EmailNotification)
class EmailNotificationAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "recipient", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "recipient", "subject"]
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    readonly_fields = [
        "key",
        "kind",
        "recipient",
        "subject",
        "context",
        "booking",
        "status",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "created_at",
        "updated_at",
    ]

    # A record of what was sent: written only by notifications.services.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed emails again")
    def resend_failed(self, request, queryset):
        queued = sum(notification_resend(n) for n in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, f"{queued} email(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} skipped: only failed emails are sent again.", messages.WARNING
            )
