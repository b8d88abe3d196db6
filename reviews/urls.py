from django.urls import path

from reviews import api

# Mounted at /api/v1/: reviews hang off the booking they rate and the trainer they are about.
urlpatterns = [
    path("bookings/<int:booking_id>/review/", api.BookingReviewApi.as_view(), name="review"),
    path(
        "bookings/<int:booking_id>/review/reply/",
        api.BookingReviewReplyApi.as_view(),
        name="review-reply",
    ),
    path(
        "trainers/<int:trainer_id>/reviews/",
        api.TrainerReviewListApi.as_view(),
        name="trainer-reviews",
    ),
]
