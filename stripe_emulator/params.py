"""Stripe's request encoding, read back: `metadata[booking_id]=7`, `expand[0]=charge`,
`controller[stripe_dashboard][type]=express` become nested dicts and lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_KEY = re.compile(r"[^\[\]]+|\[([^\[\]]*)\]")


def _path(key: str) -> list[str]:
    parts = [m.group(1) if m.group(1) is not None else m.group(0) for m in _KEY.finditer(key)]
    return parts or [key]


def _lists(value: Any) -> Any:
    """A dict whose keys are all 0..n-1 (or `[]` appends) is the list Stripe encoded."""
    if not isinstance(value, dict):
        return value
    value = {k: _lists(v) for k, v in value.items()}
    if value and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value


def nested(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form pairs (or a query string's) as the nested parameters Stripe reads."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _path(key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            last = parts[-1]
            if last == "":  # `expand[]=a&expand[]=b`
                last = str(len(node))
            node[last] = value
    return _lists(root)


def as_bool(value: Any) -> bool | None:
    if value in (True, "true", "True", "1"):
        return True
    if value in (False, "false", "False", "0"):
        return False
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None
