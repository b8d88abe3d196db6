"""Sign up, log in, log out with a session cookie (the API keeps its JWTs); change or reset a
password with Django's own views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from accounts.models import canonical_email
from accounts.services import user_register, user_update
from core.ratelimit import RateLimited, rate_limit
from web.errors import page_error
from web.forms import AccountForm, LoginForm, PasswordChangeForm, SignupForm
from web.viewer import safe_next


def _next_url(request, default: str) -> str:
    """Where to go after logging in or signing up: a path on this site (web.viewer.safe_next),
    such as the confirmation step of the time a visitor picked, else `default`."""
    return safe_next(request.POST.get("next") or request.GET.get("next")) or default


def _home_for(user) -> str:
    return reverse("web:trainer_home") if user.is_trainer else reverse("web:trainer_list")


def signup(request):
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit(
                request,
                scope="register",
                rate_setting="REGISTRATION_RATE",
                what="new accounts from your address",
            )
            user = user_register(**form.cleaned_data)
        except RateLimited as e:
            form.add_error(None, page_error(e)[0])
            status = 429
        except ValidationError as e:  # the password validators
            form.add_error("password", e)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to FitConnect! Your account is ready.")
            if user.is_trainer:
                return redirect("web:trainer_profile")
            return redirect(_next_url(request, _home_for(user)))
    if status == 200 and form.errors:
        status = 400
    context = {"form": form, "next": _next_url(request, "")}
    return render(request, "web/signup.html", context, status=status)


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


@login_required
def account(request):
    form = AccountForm(request.POST or None, initial={"timezone": request.user.timezone})
    if request.method == "POST" and form.is_valid():
        user_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your time zone is saved.")
        return redirect("web:account")
    return render(request, "web/account.html", {"form": form}, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (keeps this session, ends the others and revokes API tokens), with the
    current password checked through the login throttle."""

    form_class = PasswordChangeForm
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed. Other devices are logged out.")
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 429 if form.retry_after else 400
        if form.retry_after:
            response["Retry-After"] = str(form.retry_after)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, rate limited per client address and per email address so it
    cannot be used to flood someone's inbox. The answer is the same whether or not the address
    has an account."""

    template_name = "web/password_reset.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form):
        email = canonical_email(form.cleaned_data["email"])
        what = "password reset emails"
        try:
            rate_limit(
                self.request, scope="password-reset", rate_setting="PASSWORD_RESET_RATE", what=what
            )
            rate_limit(
                self.request,
                scope="password-reset-email",
                rate_setting="PASSWORD_RESET_RATE",
                what=f"{what} to this address",
                key=email,
            )
        except RateLimited as e:
            form.add_error(None, page_error(e)[0])
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(e.wait)
            return response
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
