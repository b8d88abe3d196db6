"""Structured logs: one JSON object per line in production, with the request id of the request
(or of the request that queued the task) on every line; secrets and card numbers never written.

Our code and Django log through the standard library; django-structlog adds request_started /
request_finished lines and binds request_id (taken from the proxy's X-Request-ID when present),
the user id and the client IP; its Celery step carries them into the tasks a request queues.
"""

import re

import structlog
from django.dispatch import receiver
from django_structlog import signals

from ops.outages import is_outage

# What must never reach a log line, whatever code logged it: values under these keys, and
# anything shaped like a Stripe secret, a client secret, a JWT, or a card number.
SECRET_KEYS = re.compile(
    r"pass(word)?|secret|token|authorization|cookie|api_?key|card_?number|cvc|cvv", re.IGNORECASE
)
SECRET_VALUES = re.compile(
    r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z_]+"
    r"|\bwhsec_[0-9A-Za-z_]+"
    r"|\b(?:pi|seti)_[0-9A-Za-z]+_secret_[0-9A-Za-z]+"
    r"|\beyJ[\w-]+\.[\w-]+\.[\w-]+"
)
# 13 to 19 digits, optionally grouped by spaces or dashes, as card numbers are written.
CARD_NUMBER = re.compile(r"(?<![\d.])(?:\d[ -]?){12,18}\d(?![\d.])")
REDACTED = "[redacted]"


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _scrub_card(match: re.Match) -> str:
    digits = re.sub(r"[ -]", "", match.group())
    return REDACTED if _luhn_valid(digits) else match.group()


def scrub(value):
    """`value` with secrets and card numbers replaced, recursively through dicts and lists."""
    if isinstance(value, str):
        return CARD_NUMBER.sub(_scrub_card, SECRET_VALUES.sub(REDACTED, value))
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and SECRET_KEYS.search(k) else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def redact(logger, method_name, event_dict):
    """structlog processor: scrub() every field, the rendered exception included."""
    return scrub(event_dict)


# Shared by structlog's own loggers and by standard-library records (Django, Celery, ours).
PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.StackInfoRenderer(),
]


def formatter(renderer) -> dict:
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": PRE_CHAIN,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *PRE_CHAIN,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING dict: JSON lines (production) or readable key=value lines (development)."""
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter(renderer)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # axes logs every successful login at INFO; its failures and lockouts are WARNINGs.
            "axes": {"level": "WARNING"},
            # django-structlog's request_finished replaces Django's own line per request.
            "django.server": {"level": "WARNING"},
        },
    }


# Connected when settings import this module, before any request.
@receiver(signals.bind_extra_request_failed_metadata)
def outage_is_logged_as_503(sender, request, logger, exception, log_kwargs, **kwargs):
    """django-structlog logs every request that raised as code 500; a dependency outage is
    answered 503 (core.api.json_500), so its line says 503 too."""
    if is_outage(exception):
        log_kwargs["code"] = 503
