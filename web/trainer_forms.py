"""Forms of the trainer's own pages: the week, dates that differ from it, the profile, the photo
and replies to reviews. Each checks with the API's rules (trainers.validation and the services'
checks) and reports every mistake at once, on the field it concerns."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from core.money import SUPPORTED_CURRENCIES
from reviews.services import MAX_COMMENT_LENGTH
from trainers.choices import LANGUAGES, SPECIALTIES, timezone_names
from trainers.models import AvailabilityOverride
from trainers.photos import MAX_UPLOAD_BYTES, MIN_SIDE
from trainers.services import availability_check
from trainers.validation import (
    MAX_LANGUAGES,
    MAX_SPECIALTIES,
    MAX_WINDOWS,
    currency_clean,
    hhmm_clean,
    hourly_rate_clean,
    override_date_clean,
    tags_clean,
    timezone_clean,
)
from web.forms import TextAreaField

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_WINDOWS_PER_DAY = MAX_WINDOWS // 7
ROW_FIELD = re.compile(r"^w([0-6])_(\d{1,2})_(start|end)$")

Rows = dict[int, list[tuple[str, str]]]


def _time_field(label: str) -> forms.CharField:
    # CharField, not TimeField: the API's "HH:MM" rule (hhmm_clean) decides what a time is.
    return forms.CharField(
        required=False,
        max_length=8,
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class WeekForm(forms.Form):
    """The weekly windows, several a day, each a start and an end time picker, in the trainer's
    own zone. A row is the fields w<day>_<n>_start and w<day>_<n>_end; an empty row is ignored.

    Bound, the rows are those the browser sent; unbound, `rows` ({weekday: [(start, end)]}, from
    the saved week or from a page that added or removed a row). `windows` holds the week,
    [{weekday, start, end}], once the form is valid.
    """

    def __init__(self, data=None, *, rows: Rows | None = None):
        super().__init__(data)
        self.windows: list[dict] = []
        if data is not None:
            numbered = self.rows_sent()
        else:
            numbered = {d: [(n, *r) for n, r in enumerate(rs)] for d, rs in (rows or {}).items()}
        self.days = []
        for day, name in enumerate(WEEKDAYS):
            keys = []
            # A day without windows shows one empty row to fill in.
            for n, start, end in numbered.get(day) or [(0, "", "")]:
                key, label = f"w{day}_{n}", f"{name}, window {len(keys) + 1},"
                self.fields[f"{key}_start"] = _time_field(f"{label} from")
                self.fields[f"{key}_end"] = _time_field(f"{label} to")
                self.initial[f"{key}_start"], self.initial[f"{key}_end"] = start, end
                keys.append(key)
            self.days.append({"index": day, "name": name, "rows": keys})

    def week(self) -> list[dict]:
        """For the template: each day with its rows' key and start and end fields."""
        return [
            {
                **day,
                "full": len(day["rows"]) >= MAX_WINDOWS_PER_DAY,
                "rows": [
                    {"key": key[1:], "start": self[f"{key}_start"], "end": self[f"{key}_end"]}
                    for key in day["rows"]
                ],
            }
            for day in self.days
        ]

    @classmethod
    def rows_of(cls, windows) -> Rows:
        rows: Rows = {}
        for w in windows:
            rows.setdefault(w.weekday, []).append((f"{w.start_time:%H:%M}", f"{w.end_time:%H:%M}"))
        return rows

    def rows_sent(self) -> dict[int, list[tuple[int, str, str]]]:
        """{weekday: [(n, start, end)]} as the browser sent them, in the order of n."""
        found: dict[int, dict[int, list[str]]] = {}
        for name in self.data:
            match = ROW_FIELD.match(name)
            if match:
                day, n, which = int(match[1]), int(match[2]), match[3]
                found.setdefault(day, {}).setdefault(n, ["", ""])
                found[day][n][which == "end"] = self.data.get(name, "")[:8]
        # One row past the limit is kept, so that clean() can say there are too many.
        return {
            day: [(n, *found[day][n]) for n in sorted(found[day])[: MAX_WINDOWS_PER_DAY + 1]]
            for day in found
        }

    def rows_changed(self, *, add: str = "", remove: str = "") -> Rows:
        """The rows sent, with an empty one added to the day `add` or the row `remove`
        ("<day>_<n>") taken away: what a page without JavaScript shows after those buttons."""
        rows: Rows = {
            day: [(start, end) for n, start, end in sent if f"{day}_{n}" != remove]
            for day, sent in self.rows_sent().items()
        }
        if add.isdigit() and int(add) < 7:
            day_rows = rows.get(int(add)) or [("", "")]
            if len(day_rows) < MAX_WINDOWS_PER_DAY:
                day_rows.append(("", ""))
            rows[int(add)] = day_rows
        return rows

    def clean(self):
        # A copy: add_error() drops a field from cleaned_data, and later checks still read it.
        data = dict(super().clean())
        windows, where = [], []
        for day in self.days:
            if len(day["rows"]) > MAX_WINDOWS_PER_DAY:
                self.add_error(
                    f"{day['rows'][0]}_start", f"At most {MAX_WINDOWS_PER_DAY} windows a day."
                )
            for key in day["rows"]:
                times = {}
                for which in ("start", "end"):
                    value = (data.get(f"{key}_{which}") or "").strip()
                    if f"{key}_{which}" in self.errors:  # too long to be a time
                        times[which] = None
                    elif value:
                        try:
                            times[which] = hhmm_clean(value)
                        except ValidationError as e:
                            self.add_error(f"{key}_{which}", e)
                            times[which] = None
                if not times:
                    continue
                for which, other in (("start", "end"), ("end", "start")):
                    if which not in times:
                        message = f"Give the {which} too, or clear the {other}."
                        self.add_error(f"{key}_{which}", message)
                if len(times) == 2 and None not in times.values():
                    windows.append({"weekday": day["index"], **times})
                    where.append(key)
        try:
            availability_check(windows)
        except ValidationError as e:
            # Keyed by the window's position: "availability[2].end" or "availability[2]".
            for position, messages in e.message_dict.items():
                i = int(position.split("[", 1)[1].split("]", 1)[0])
                field = "end" if position.endswith(".end") else "start"
                for message in messages:
                    self.add_error(f"{where[i]}_{field}", message)
        self.windows = windows
        return self.cleaned_data


class OverrideForm(forms.Form):
    """One date that differs from the week: a day off, or extra hours on it."""

    date = forms.DateField(
        label="Date", input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label="What changes",
        choices=[
            (AvailabilityOverride.Kind.DAY_OFF, "A day off (no sessions that day)"),
            (AvailabilityOverride.Kind.EXTRA, "Extra hours on that day"),
        ],
        widget=forms.RadioSelect,
        initial=AvailabilityOverride.Kind.DAY_OFF,
    )
    start = _time_field("Extra hours from")
    end = _time_field("Extra hours to")

    def __init__(self, *args, today: dt.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["min"] = today.isoformat()

    def clean_date(self):
        return override_date_clean(self.cleaned_data["date"], today=self.today)

    def clean(self):
        data = super().clean()
        if data.get("kind") != AvailabilityOverride.Kind.EXTRA:
            # A day off has no hours: times left in the boxes are not part of it.
            data["start"] = data["end"] = None
            return data
        for which in ("start", "end"):
            value = (data.get(which) or "").strip()
            if which in self.errors:  # too long to be a time
                data[which] = None
                continue
            if not value:
                self.add_error(which, "Extra hours need a start and an end.")
                data[which] = None
                continue
            try:
                data[which] = hhmm_clean(value)
            except ValidationError as e:
                self.add_error(which, e)
                data[which] = None
        if data["start"] and data["end"] and data["end"] <= data["start"]:
            self.add_error("end", "End must be after start.")
        return data


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your reply",
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a reply."},
    )

    def clean_reply(self):
        return self.cleaned_data["reply"].replace("\r\n", "\n")


class OneLineField(forms.CharField):
    """A name is one line: line breaks and runs of spaces pasted into it become one space."""

    def to_python(self, value):
        return " ".join(super().to_python(value).split())


class TrainerProfileForm(forms.Form):
    """The trainer's profile. Specialties, languages, currency and time zone are picked from the
    lists the API accepts (trainers.choices), and checked by the API's rules as well."""

    first_name = OneLineField(max_length=150, label="First name")
    last_name = OneLineField(max_length=150, label="Last name")
    headline = OneLineField(
        required=False,
        max_length=120,
        help_text="One line under your name on the directory, e.g. Marathon plans by heart rate.",
    )
    bio = TextAreaField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    specialties = forms.MultipleChoiceField(
        required=False,
        choices=list(SPECIALTIES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Clients filter the directory by these.",
    )
    languages = forms.MultipleChoiceField(
        required=False,
        choices=sorted(LANGUAGES.items(), key=lambda item: item[1]),
        widget=forms.CheckboxSelectMultiple,
        help_text=f"The languages you coach in, at most {MAX_LANGUAGES}.",
    )
    hourly_rate = forms.CharField(max_length=12, label="Price per hour", help_text="e.g. 75.00")
    currency = forms.ChoiceField(choices=[(c, c.upper()) for c in SUPPORTED_CURRENCIES])
    timezone = forms.ChoiceField(
        label="Time zone",
        help_text="Your weekly hours and dates are in this zone.",
    )
    accepting_bookings = forms.BooleanField(required=False, label="Accepting new bookings")

    def __init__(self, *args, profile, **kwargs):
        self.profile = profile
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z.replace("_", " ")) for z in timezone_names()]

    def clean_specialties(self):
        tags = self.cleaned_data["specialties"]
        if len(tags) > MAX_SPECIALTIES:
            raise ValidationError(f"Pick at most {MAX_SPECIALTIES}.")
        return tags_clean(tags, SPECIALTIES, "specialty")

    def clean_languages(self):
        tags = self.cleaned_data["languages"]
        if len(tags) > MAX_LANGUAGES:
            raise ValidationError(f"Pick at most {MAX_LANGUAGES}.")
        return tags_clean(tags, LANGUAGES, "language")

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


class PhotoForm(forms.Form):
    """The file only; what a photo must be is trainers.photos' rule, applied by the service."""

    photo = forms.FileField(
        label="New photo",
        help_text=f"JPEG, PNG or WebP, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB and at least "
        f"{MIN_SIDE} x {MIN_SIDE} pixels. It is cropped to a square.",
        error_messages={
            "required": "Choose a photo to upload.",
            "empty": "The file is empty.",
            "invalid": "Choose a photo to upload.",
        },
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
