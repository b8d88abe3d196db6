"""Forms of the pages. They parse what a browser sends and check it with the same rules as the API
(trainers.validation, the services' checks): one set of rules, two front doors."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from accounts.login_throttle import check_password, lockout_message
from accounts.models import User, canonical_email
from bookings.services import (
    DURATION_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
)
from core.times import is_known_zone
from trainers.choices import timezone_names

DURATION_CHOICES = [
    (m, f"{m} minutes")
    for m in range(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES + 1, DURATION_STEP_MINUTES)
]


class TextAreaField(forms.CharField):
    """A textarea's text with its line breaks as the user typed them. Browsers send each as
    CR LF, two characters, while their own max length counted one: a bio the page accepted at
    5,000 characters came back "too long"."""

    widget = forms.Textarea

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class SignupForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (User.Role.CLIENT, "I want to book sessions"),
            (User.Role.TRAINER, "I am a trainer"),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.CLIENT,
        label="I am signing up as",
    )
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(max_length=254, label="Email address")
    password = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )

    # Filled in by the browser (web/static/web/timezone.js); UTC when it says nothing we know.
    timezone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_timezone(self):
        value = self.cleaned_data["timezone"]
        return value if is_known_zone(value) else "UTC"

    def clean_email(self):
        email = canonical_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in?")
        return email


class LoginForm(forms.Form):
    email = forms.EmailField(
        max_length=254, label="Email address", widget=forms.EmailInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        self.retry_after = 0  # seconds, when the login throttle refused the attempt
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user, self.retry_after = check_password(self.request, data["email"], data["password"])
        if self.retry_after:
            raise forms.ValidationError(lockout_message(self.retry_after))
        if self.user is None:
            raise forms.ValidationError("That email and password do not match an account.")
        return data


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, checking the current password through the login throttle (authenticate)
    instead of check_password(): a borrowed session must not allow unlimited guesses."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        self.retry_after = 0
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        user, self.retry_after = check_password(self.request, self.user.email, old)
        if self.retry_after:
            raise forms.ValidationError(lockout_message(self.retry_after))
        if user is None:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old


class AccountForm(forms.Form):
    timezone = forms.ChoiceField(
        label="Your time zone",
        help_text="Session times are shown in the trainer's time zone and, when it differs, in "
        "yours.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z.replace("_", " ")) for z in timezone_names()]


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Reason"
    )
