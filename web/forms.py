"""Forms of the pages. They parse what a browser sends and check it with the same rules as the API
(trainers.validation, the services' checks): one set of rules, two front doors."""

import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError

from accounts.login_throttle import check_password, lockout_message
from accounts.models import User, canonical_email
from bookings.services import (
    DURATION_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
)
from core.times import is_known_zone
from trainers.choices import SPECIALTIES, timezone_names
from trainers.services import availability_check
from trainers.validation import (
    currency_clean,
    hhmm_clean,
    hourly_rate_clean,
    tags_clean,
    timezone_clean,
)

DURATION_CHOICES = [
    (m, f"{m} minutes")
    for m in range(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES + 1, DURATION_STEP_MINUTES)
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# A hyphen or an en dash (what phones often type) between the two times.
RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


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


class AvailabilityForm(forms.Form):
    """One text box per weekday: "09:00-12:00, 13:00-17:00" (the trainer's local time).

    Every mistake is shown at once, on its day: a badly written range, a time that is not one,
    then the week's order and overlaps (the service's own check). `windows` holds the week,
    [{weekday, start, end}], once the form is valid.
    """

    def __init__(self, *args, windows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.windows: list[dict] = []
        by_day: dict[int, list[str]] = {d: [] for d in range(7)}
        for w in windows:
            by_day[w.weekday].append(f"{w.start_time:%H:%M}-{w.end_time:%H:%M}")
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                required=False,
                max_length=200,
                label=name,
                initial=", ".join(by_day[day]),
                widget=forms.TextInput(attrs={"placeholder": "e.g. 09:00-12:00, 13:00-17:00"}),
            )

    def clean(self):
        data = super().clean()
        windows = []
        for day in range(7):
            text = data.get(f"day_{day}") or ""
            for part in filter(None, (p.strip() for p in text.split(","))):
                match = RANGE.match(part)
                if not match:
                    self.add_error(f"day_{day}", f'"{part}" is not a time range like 09:00-17:00.')
                    continue
                try:
                    start, end = (hhmm_clean(t.zfill(5)) for t in match.groups())
                except ValidationError as e:
                    self.add_error(f"day_{day}", e)
                    continue
                windows.append({"weekday": day, "start": start, "end": end})
        try:
            availability_check(windows)
        except ValidationError as e:
            # Keyed by the window's position ("availability[2].end"): shown on its day.
            for key, messages in e.message_dict.items():
                day = windows[int(key.split("[", 1)[1].split("]", 1)[0])]["weekday"]
                for message in messages:
                    self.add_error(f"day_{day}", message)
        self.windows = windows
        return data


class TrainerProfileForm(forms.Form):
    """The trainer's profile, checked by the API's rules (trainers.validation): the tags of the
    list, a known time zone and currency, a rate a card can be charged in that currency."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    bio = TextAreaField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    specialties = forms.CharField(
        required=False, max_length=500, help_text="Separated by commas, e.g. strength, yoga"
    )
    hourly_rate = forms.CharField(max_length=12, label="Price per hour", help_text="e.g. 75.00")
    currency = forms.CharField(max_length=3)
    timezone = forms.CharField(max_length=64, label="Time zone", help_text="e.g. Europe/London")
    accepting_bookings = forms.BooleanField(required=False, label="Accepting new bookings")

    def __init__(self, *args, profile, **kwargs):
        self.profile = profile
        super().__init__(*args, **kwargs)

    def clean_specialties(self):
        tags = (t.strip() for t in self.cleaned_data["specialties"].split(","))
        return tags_clean([t for t in tags if t], SPECIALTIES, "specialty")

    def clean_currency(self):
        return currency_clean(self.cleaned_data["currency"])

    def clean_timezone(self):
        return timezone_clean(self.cleaned_data["timezone"])

    def clean(self):
        data = super().clean()
        if "hourly_rate" in data:
            # In the currency chosen, or the profile's while the chosen one is in error.
            currency = data.get("currency", self.profile.currency)
            try:
                data["hourly_rate"] = hourly_rate_clean(data["hourly_rate"], currency)
            except ValidationError as e:
                self.add_error("hourly_rate", e)
        return data
