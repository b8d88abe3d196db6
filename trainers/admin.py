from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.money import format_amount
from trainers.models import AvailabilityOverride, AvailabilityWindow, TrainerProfile
from trainers.payout_requirements import payout_requirement_label
from trainers.services import trainer_photo_remove


class SpecialtyFilter(admin.SimpleListFilter):
    """Profiles still missing specialties are the ones that need a nudge before they're listed."""

    title = "specialties"
    parameter_name = "has_specialties"

    def lookups(self, request, model_admin):
        return [("yes", "Has specialties"), ("no", "No specialties")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(specialties=[])
        if self.value() == "no":
            return queryset.filter(specialties=[])
        return queryset


class AvailabilityInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class AvailabilityOverrideInline(admin.TabularInline):
    model = AvailabilityOverride
    extra = 0
    ordering = ["-date"]


@admin.register(TrainerProfile)
class TrainerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "full_name",
        "headline",
        "rate",
        "timezone",
        "accepting_bookings",
        "payouts_enabled",
        "payouts_held",
        "created_at",
    ]
    list_filter = [
        "accepting_bookings",
        "payouts_enabled",
        "payouts_held",
        "currency",
        SpecialtyFilter,
    ]
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "headline",
        "specialties",
    ]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # Photos are uploaded by their trainer through trainers.photos (checked, resized, metadata
    # stripped); staff can only look at one and remove it.
    # The calendar feed's secret is the trainer's alone (they rotate it from their area).
    exclude = ["photo", "calendar_token"]
    # The connected account's state is Stripe's (account.updated); holding payouts is the
    # admin's (payouts_held: the trainer's next transfers wait for a person to release them).
    readonly_fields = [
        "picture",
        "stripe_account_id",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "payout_requirements",
        "stripe_still_needs",
        "payout_disabled_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [AvailabilityInline, AvailabilityOverrideInline]
    actions = ["remove_photos"]

    @admin.display(description="Photo")
    def picture(self, obj):
        return format_html(
            '<img src="{}" alt="" width="96" height="96" style="border-radius:50%">',
            obj.avatar_url,
        )

    @admin.display(description="Stripe still needs")
    def stripe_still_needs(self, obj):
        codes = obj.payout_requirements or []
        if not codes:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} <code>{}</code></li>",
                ((payout_requirement_label(code), code) for code in codes),
            ),
        )

    @admin.action(description="Remove the photos of the selected trainers")
    def remove_photos(self, request, queryset):
        removed = 0
        for profile in queryset.exclude(photo=""):
            trainer_photo_remove(profile=profile)
            removed += 1
        self.message_user(request, f"Removed {removed} photo(s).")

    @admin.display(description="Hourly rate", ordering="hourly_rate")
    def rate(self, obj):
        return f"{format_amount(obj.hourly_rate, obj.currency)} {obj.currency.upper()}"

    @admin.display(description="Name", ordering="user__last_name")
    def full_name(self, obj):
        return obj.user.get_full_name()


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ["trainer", "weekday", "start_time", "end_time"]
    list_filter = ["weekday", "trainer__currency"]
    search_fields = [
        "trainer__user__email",
        "trainer__user__first_name",
        "trainer__user__last_name",
    ]
    list_select_related = ["trainer__user"]
    raw_id_fields = ["trainer"]


@admin.register(AvailabilityOverride)
class AvailabilityOverrideAdmin(admin.ModelAdmin):
    list_display = ["trainer", "date", "kind", "start_time", "end_time"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    search_fields = ["trainer__user__email", "trainer__user__last_name"]
    list_select_related = ["trainer__user"]
    raw_id_fields = ["trainer"]
    date_hierarchy = "date"
