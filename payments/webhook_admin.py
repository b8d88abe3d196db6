"""Admin for stored Stripe events: browse them and their errors; nothing here changes them.

Registered in payments/admin.py. Replaying an event is `manage.py replay_stripe_events`, so
a re-run is logged and scripted rather than a click on someone's payment.
"""

import json

from django.contrib import admin
from django.utils.html import format_html

from core.admin import ViewOnlyAdminMixin


class ProcessedFilter(admin.SimpleListFilter):
    title = "processed"
    parameter_name = "processed"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(processed_at__isnull=True)
        return queryset


class HasErrorFilter(admin.SimpleListFilter):
    title = "has error"
    parameter_name = "has_error"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


class WebhookEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "stripe_event_id",
        "type",
        "received_at",
        "processed_at",
        "attempts",
        "has_error",
    ]
    list_filter = ["type", ProcessedFilter, HasErrorFilter, "livemode"]
    search_fields = ["=stripe_event_id", "type"]
    date_hierarchy = "received_at"
    fields = [
        "stripe_event_id",
        "type",
        "api_version",
        "livemode",
        "received_at",
        "processed_at",
        "attempts",
        "error",
        "payload_pretty",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description="Error")
    def has_error(self, event):
        return bool(event.error)

    @admin.display(description="Payload")
    def payload_pretty(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))
