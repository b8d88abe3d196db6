from django.urls import path

from analytics.api import AnalyticsSummaryApi, TrainerEarningsApi

app_name = "analytics"
urlpatterns = [
    path("summary/", AnalyticsSummaryApi.as_view(), name="summary"),
    path("earnings/", TrainerEarningsApi.as_view(), name="earnings"),
]
