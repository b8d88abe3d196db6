from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bookings.calendar_views import trainer_calendar_feed
from config.api_root import ApiRoot
from core.api import json_404, json_500

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", ApiRoot.as_view(), name="api-root"),
    path("api/v1/auth/", include("accounts.urls")),
    path("api/v1/trainers/", include("trainers.urls")),
    path("api/v1/bookings/", include("bookings.urls")),
    path("api/v1/payments/", include("payments.urls")),
    path("api/v1/", include("reviews.urls")),
    path("api/v1/analytics/", include("analytics.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("dashboard/", include("analytics.web_urls")),
    path("calendar/<str:token>.ics", trainer_calendar_feed, name="trainer-calendar-feed"),
    path("", include("web.urls")),
    # Uploaded photos, in development only (an empty list with DEBUG off or an absolute MEDIA_URL).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler404 = json_404
handler500 = json_500
