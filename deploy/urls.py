"""Every route of the app, plus /loadtest/bare/: a Django view that does nothing.

The load test measures it in the same run as the real requests, through the same nginx,
gunicorn and middleware: the floor that our own views' latency is compared to.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as app_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("loadtest/bare/", bare), *app_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
