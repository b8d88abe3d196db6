from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView

from accounts import api

urlpatterns = [
    path("register/", api.RegisterApi.as_view(), name="auth-register"),
    path("token/", api.TokenApi.as_view(), name="auth-token"),
    path("token/refresh/", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("logout/", api.LogoutApi.as_view(), name="auth-logout"),
    path("me/", api.MeApi.as_view(), name="auth-me"),
    path("password/", api.PasswordChangeApi.as_view(), name="auth-password"),
]
