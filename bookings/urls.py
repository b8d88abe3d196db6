from django.urls import path

from bookings import api, calendar_views

urlpatterns = [
    path("", api.BookingListCreateApi.as_view(), name="booking-list"),
    path("<int:booking_id>/", api.BookingDetailApi.as_view(), name="booking-detail"),
    path("<int:booking_id>/cancel/", api.BookingCancelApi.as_view(), name="booking-cancel"),
    path(
        "<int:booking_id>/reschedule/",
        api.BookingRescheduleApi.as_view(),
        name="booking-reschedule",
    ),
    path(
        "<int:booking_id>/calendar.ics",
        calendar_views.BookingCalendarApi.as_view(),
        name="booking-calendar",
    ),
]
