"""The OpenAPI schema and Swagger UI work offline and cover every API endpoint."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def api_routes(patterns=None, prefix="") -> set[str]:
    """Every DRF view under /api/v1/, as an OpenAPI-style path with {} for parameters."""
    routes = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            routes |= api_routes(p.url_patterns, route)
        elif (
            isinstance(p, URLPattern) and hasattr(p.callback, "cls") and route.startswith("api/v1/")
        ):
            routes.add(normalise("/" + route))
    return routes


def normalise(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path.lstrip("^").rstrip("$"))


def test_it_serves_a_schema_listing_every_api_endpoint(api):
    r = api.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = json.loads(r.content)
    assert schema["info"]["title"] == "FitConnect API"
    documented = {normalise(path) for path in schema["paths"]}
    expected = api_routes()
    assert {"/api/v1/auth/token/", "/api/v1/auth/register/"} <= expected
    assert sorted(expected - documented) == []


def test_it_serves_swagger_ui_from_local_static_files_only(api):
    r = api.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by the app"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is missing"
    assert "cdn." not in html and "unpkg" not in html
    assert "/api/schema/" in html
