from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from reviews.models import Review
from reviews.services import review_hide, review_show


class HideForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with the review; the client and trainer do not see it.",
    )


class HiddenFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("no", "Shown"), ("yes", "Hidden")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "trainer", "client", "rating", "created_at", "shown", "replied"]
    list_filter = ["rating", HiddenFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["trainer__user__email", "client__email", "comment", "reply"]
    list_select_related = ["trainer__user", "client"]
    date_hierarchy = "created_at"
    # Reviews change only through the services (the client's words, the trainer's reply, and
    # hiding with a reason below); staff never edit what someone else wrote.
    readonly_fields = [
        "booking",
        "trainer",
        "client",
        "rating",
        "comment",
        "reply",
        "replied_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "created_at",
        "updated_at",
    ]
    actions = ["hide_reviews", "show_reviews"]

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True, description="Shown", ordering="hidden_at")
    def shown(self, review):
        return review.hidden_at is None

    @admin.display(boolean=True, description="Replied", ordering="replied_at")
    def replied(self, review):
        return review.replied_at is not None

    @admin.action(description="Hide selected reviews (asks for a reason)")
    def hide_reviews(self, request, queryset):
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            hidden = sum(
                review_hide(review=r, actor=request.user, reason=form.cleaned_data["reason"])
                for r in queryset
            )
            self.message_user(request, f"Hid {hidden} review(s).", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/reviews/review/hide.html",
            {
                **self.admin_site.each_context(request),
                "title": "Hide reviews",
                "opts": self.model._meta,
                "reviews": queryset.select_related("trainer__user", "client"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Show selected hidden reviews again")
    def show_reviews(self, request, queryset):
        shown = sum(review_show(review=r, actor=request.user) for r in queryset)
        self.message_user(request, f"Showed {shown} review(s) again.", messages.SUCCESS)
