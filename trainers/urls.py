from django.urls import path

from payments import payouts_api
from trainers import api

urlpatterns = [
    path("", api.TrainerListApi.as_view(), name="trainer-list"),
    path("choices/", api.TrainerChoicesApi.as_view(), name="trainer-choices"),
    path("me/", api.TrainerMeApi.as_view(), name="trainer-me"),
    path("me/photo/", api.TrainerMePhotoApi.as_view(), name="trainer-me-photo"),
    path("me/calendar/", api.TrainerMeCalendarApi.as_view(), name="trainer-me-calendar"),
    path(
        "me/availability/", api.TrainerMeAvailabilityApi.as_view(), name="trainer-me-availability"
    ),
    path(
        "me/availability/overrides/",
        api.TrainerMeOverridesApi.as_view(),
        name="trainer-me-overrides",
    ),
    path(
        "me/availability/overrides/<int:override_id>/",
        api.TrainerMeOverrideDetailApi.as_view(),
        name="trainer-me-override-detail",
    ),
    path("me/payouts/", payouts_api.TrainerPayoutsApi.as_view(), name="trainer-me-payouts"),
    path(
        "me/payouts/onboarding/",
        payouts_api.TrainerPayoutOnboardingApi.as_view(),
        name="trainer-me-payouts-onboarding",
    ),
    path(
        "me/payouts/dashboard/",
        payouts_api.TrainerPayoutDashboardApi.as_view(),
        name="trainer-me-payouts-dashboard",
    ),
    path("<int:pk>/", api.TrainerDetailApi.as_view(), name="trainer-detail"),
    path("<int:pk>/slots/", api.TrainerSlotsApi.as_view(), name="trainer-slots"),
]
