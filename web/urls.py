from django.urls import path

from web.views import (
    accounts,
    bookings,
    checkout,
    directory,
    session_actions,
    trainer_area,
    trainer_payouts,
    trainer_reviews,
    trainer_schedule,
    trainers,
)

app_name = "web"

urlpatterns = [
    path("", directory.home, name="home"),
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("account/", accounts.account, name="account"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("trainers/", directory.trainer_directory_view, name="trainer_list"),
    path("trainers/<int:pk>/", trainers.trainer_detail, name="trainer_detail"),
    path("trainers/<int:pk>/confirm/", trainers.trainer_confirm, name="trainer_confirm"),
    path("trainers/<int:pk>/book/", trainers.trainer_book, name="trainer_book"),
    path("sessions/", bookings.booking_list, name="booking_list"),
    path("sessions/<int:pk>/", bookings.booking_detail, name="booking_detail"),
    path("sessions/<int:pk>/cancel/", bookings.booking_cancel_view, name="booking_cancel"),
    path(
        "sessions/<int:pk>/calendar.ics",
        session_actions.booking_calendar,
        name="booking_calendar",
    ),
    path(
        "sessions/<int:pk>/reschedule/",
        session_actions.booking_reschedule_view,
        name="booking_reschedule",
    ),
    path("sessions/<int:pk>/review/", session_actions.booking_review_view, name="booking_review"),
    path("sessions/<int:pk>/pay/", checkout.booking_pay, name="booking_pay"),
    path("sessions/<int:pk>/pay/setup/", checkout.booking_pay_setup, name="booking_pay_setup"),
    path(
        "sessions/<int:pk>/pay/confirm/", checkout.booking_pay_confirm, name="booking_pay_confirm"
    ),
    path("sessions/<int:pk>/status/", checkout.booking_status, name="booking_status"),
    path("trainer/", trainer_area.trainer_home, name="trainer_home"),
    path("trainer/profile/", trainer_area.trainer_profile, name="trainer_profile"),
    path(
        "trainer/availability/",
        trainer_schedule.trainer_availability,
        name="trainer_availability",
    ),
    path(
        "trainer/availability/dates/",
        trainer_schedule.trainer_override_add,
        name="trainer_override_add",
    ),
    path(
        "trainer/availability/dates/<int:pk>/remove/",
        trainer_schedule.trainer_override_remove,
        name="trainer_override_remove",
    ),
    path("trainer/profile/photo/", trainer_area.trainer_photo_upload, name="trainer_photo"),
    path(
        "trainer/profile/photo/remove/",
        trainer_area.trainer_photo_delete,
        name="trainer_photo_remove",
    ),
    path("trainer/reviews/", trainer_reviews.trainer_reviews, name="trainer_reviews"),
    path(
        "trainer/reviews/<int:pk>/reply/",
        trainer_reviews.trainer_review_reply,
        name="trainer_review_reply",
    ),
    path("trainer/calendar/", trainer_reviews.trainer_calendar, name="trainer_calendar"),
    path("trainer/payouts/", trainer_payouts.trainer_payouts_page, name="trainer_payouts"),
    path(
        "trainer/payouts/onboarding/",
        trainer_payouts.trainer_payouts_onboarding,
        name="trainer_payouts_onboarding",
    ),
    path(
        "trainer/payouts/return/",
        trainer_payouts.trainer_payouts_return,
        name="trainer_payouts_return",
    ),
    path(
        "trainer/payouts/dashboard/",
        trainer_payouts.trainer_payouts_dashboard,
        name="trainer_payouts_dashboard",
    ),
]
