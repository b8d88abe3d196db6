"""The fixed lists a trainer picks from: specialties, languages, time zones (currencies are
core.money's). Values are what the database stores and the API speaks; labels are for people.
"""

import functools
import zoneinfo

# Slug -> label. Adding one is safe; removing or renaming one needs a data migration for the
# profiles that use it.
SPECIALTIES = {
    "strength": "Strength training",
    "powerlifting": "Powerlifting",
    "bodybuilding": "Bodybuilding",
    "weight-loss": "Weight loss",
    "hiit": "HIIT",
    "crossfit": "CrossFit-style conditioning",
    "calisthenics": "Calisthenics",
    "running": "Running",
    "endurance": "Endurance",
    "cycling": "Cycling",
    "swimming": "Swimming",
    "boxing": "Boxing",
    "martial-arts": "Martial arts",
    "yoga": "Yoga",
    "pilates": "Pilates",
    "mobility": "Mobility and stretching",
    "rehabilitation": "Injury rehabilitation",
    "pre-postnatal": "Pre- and postnatal",
    "seniors": "Older adults",
    "nutrition": "Nutrition coaching",
}

# ISO 639-1 code -> the language's English name.
LANGUAGES = {
    "ar": "Arabic",
    "bn": "Bengali",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "sw": "Swahili",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

# The IANA regions people live in. Left out: the legacy aliases ("US/Eastern", "Japan"), the
# Etc/GMT+N zones (whose sign is the reverse of what people expect) and the non-zones "localtime"
# (the server's own clock) and "Factory".
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """Every zone a trainer may pick, sorted, with "UTC" first."""
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith(_REGIONS))
    return ("UTC", *zones)
