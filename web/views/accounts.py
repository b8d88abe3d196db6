"""Sign up, log in, log out with a session cookie (the API keeps its JWTs)."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.services import user_register
from web.forms import LoginForm, SignupForm


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _home_for(user) -> str:
    return reverse("web:trainer_home") if user.is_trainer else reverse("web:trainer_list")


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(**form.cleaned_data)
        except ValidationError as e:  # the password validators
            form.add_error("password", e)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to FitConnect! Your account is ready.")
            if user.is_trainer:
                return redirect("web:trainer_profile")
            return redirect(_next_url(request, _home_for(user)))
    status = 400 if form.errors else 200
    return render(request, "web/signup.html", {"form": form}, status=status)


def login_view(request):
    form = LoginForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            login(request, form.user)
            return redirect(_next_url(request, _home_for(form.user)))
        status = 429 if form.retry_after else 400
    next_url = _next_url(request, "")
    response = render(request, "web/login.html", {"form": form, "next": next_url}, status=status)
    if form.retry_after:
        response["Retry-After"] = str(form.retry_after)
    return response


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "You are logged out.")
    return redirect("web:home")
