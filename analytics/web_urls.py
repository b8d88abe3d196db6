from django.urls import path

from analytics.views import analytics_dashboard, analytics_export_csv

urlpatterns = [
    path("analytics/", analytics_dashboard, name="analytics-dashboard"),
    path("analytics/export.csv", analytics_export_csv, name="analytics-export"),
]
