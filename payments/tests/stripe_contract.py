"""The request contract: every request our code sends to Stripe in the tests must be one that
the `stripe` package's typed parameters (`stripe.params.*`, generated from Stripe's OpenAPI spec
of the pinned API version) define. An unknown or misspelled key, a value outside an enum, a
missing required key, or an endpoint the SDK does not have fails the test that sent it.

How: the SDK's services are read once (`stripe/**/_*_service.py`: each method's HTTP method,
path and params class), and the root conftest puts `ContractHTTPClient` under every
StripeClient the tests build, so calls added later are checked without anything to list.
The emulator and localstripe are lenient or strict in their own ways; this check is Stripe's.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
import sys
import types
import typing
import urllib.parse
from pathlib import Path

import stripe
from stripe._request_options import RequestOptions

from stripe_emulator.params import nested

SDK = Path(stripe.__file__).parent
# Keys of the SDK's request options, which its params classes inherit but never send.
OPTIONS = set(RequestOptions.__annotations__)
VIOLATIONS: list[str] = []  # what the tests sent against the contract, checked after each test


class ContractViolation(AssertionError):
    pass


def _format_target(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _format_target(node.func.value)  # "/v1/x/{id}".format(...)
    return None


@functools.cache
def endpoints() -> list[tuple[str, re.Pattern, str, str]]:
    """(METHOD, path pattern, params module, params class) of every method of the SDK's
    services; literal paths before templated ones (/v1/x/search before /v1/x/{id})."""
    found = []
    for path in SDK.rglob("_*_service.py"):
        tree = ast.parse(path.read_text())
        modules = {
            alias.name: node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            arg = next((a for a in fn.args.args if a.arg == "params"), None)
            name = (
                re.search(r"\w+Params\b", ast.unparse(arg.annotation))
                if arg and arg.annotation
                else None
            )
            call = next(
                (n for n in ast.walk(fn) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr == "_request"),
                None,
            )  # fmt: skip
            if not (name and call and len(call.args) >= 2):
                continue
            method, template = call.args[0], _format_target(call.args[1])
            if not (isinstance(method, ast.Constant) and template and name[0] in modules):
                continue
            pattern = re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$")
            found.append((method.value.upper(), pattern, modules[name[0]], name[0]))
    return sorted(found, key=lambda e: (e[1].pattern.count("[^/]+"), e[1].pattern))


def params_class(method: str, path: str):
    for verb, pattern, module, name in endpoints():
        if verb == method.upper() and pattern.match(path):
            return getattr(importlib.import_module(module), name)
    return None


def _evaluate(annotation, module: dict):
    if isinstance(annotation, str):
        annotation = eval(annotation, dict(module))  # the SDK's own annotations
    if isinstance(annotation, typing.ForwardRef):
        annotation = eval(annotation.__forward_arg__, dict(module))
    return annotation


def _fields(typed_dict) -> dict[str, tuple[object, dict]]:
    found = {}
    for klass in reversed(typed_dict.__mro__):
        module = vars(sys.modules[klass.__module__])
        for key, annotation in inspect.get_annotations(klass).items():
            found[key] = (annotation, module)
    return found


def _is_typed_dict(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def _is_union(tp) -> bool:
    return typing.get_origin(tp) is typing.Union or isinstance(tp, types.UnionType)


def _scalar(value, tp, where: str) -> list[str]:
    """Form-encoded scalars arrive as strings: "true"/"false", digits."""
    patterns = {str: r"(?s).*", bool: r"true|false", int: r"-?\d+", float: r"-?\d+(\.\d+)?"}
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    if not isinstance(value, str) or not re.fullmatch(patterns[tp], value):
        return [f"{where}: expected {names[tp]}, got {value!r}"]
    return []


def check_value(value, annotation, module: dict, where: str) -> list[str]:
    tp = _evaluate(annotation, module)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.NotRequired, typing.Required):
        return check_value(value, args[0], module, where)
    if _is_union(tp):
        problems = [check_value(value, option, module, where) for option in args]
        return [] if any(not p for p in problems) else min(problems, key=len)
    if origin is typing.Literal:
        allowed = {str(a).lower() if isinstance(a, bool) else str(a) for a in args}
        if str(value) in allowed:
            return []
        return [f"{where}: {value!r} is not one of {sorted(allowed)}"]
    if _is_typed_dict(tp):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        return check_params(value, tp, where + ".")
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [
            problem
            for i, item in enumerate(value)
            for problem in check_value(item, args[0], module, f"{where}[{i}]")
        ]
    if origin is dict or (isinstance(origin, type) and issubclass(origin, dict)):
        # metadata and the like: keys of our choosing
        return [] if isinstance(value, dict) else [f"{where}: expected an object, got {value!r}"]
    if tp in (str, bool, int, float):
        return _scalar(value, tp, where)
    return []


def _required(annotation, module: dict) -> bool:
    if isinstance(annotation, str) and annotation.startswith("NotRequired["):
        return False
    return typing.get_origin(_evaluate(annotation, module)) is not typing.NotRequired


def check_params(params: dict, typed_dict, prefix: str = "") -> list[str]:
    fields = {k: v for k, v in _fields(typed_dict).items() if k not in OPTIONS}
    problems = [
        f"{prefix}{key}: not a parameter Stripe defines here" for key in params if key not in fields
    ]
    for key, (annotation, module) in fields.items():
        if key in params:
            problems += check_value(params[key], annotation, module, prefix + key)
        elif _required(annotation, module):
            problems.append(f"{prefix}{key}: required and missing")
    return problems


def check_request(method: str, url: str, post_data) -> list[str]:
    """What is wrong with this request by the SDK's typed params ([] when nothing)."""
    parts = urllib.parse.urlsplit(url)
    body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
    pairs = urllib.parse.parse_qsl(
        body if method.upper() == "POST" else parts.query, keep_blank_values=True
    )
    typed = params_class(method, parts.path)
    if typed is None:
        return [f"{method.upper()} {parts.path}: not an endpoint of the stripe SDK"]
    return [f"{method.upper()} {parts.path}: {p}" for p in check_params(nested(pairs), typed)]


def enforce(method: str, url: str, post_data) -> None:
    problems = check_request(method, url, post_data)
    if problems:
        VIOLATIONS.extend(problems)
        raise ContractViolation(
            "Request against Stripe's typed parameters:\n" + "\n".join(problems)
        )


class ContractHTTPClient(stripe.RequestsClient):
    """The SDK's default HTTP client, checking each request before it is sent."""

    def request(self, method, url, headers, post_data=None):
        enforce(method, url, post_data)
        return super().request(method, url, headers, post_data)
