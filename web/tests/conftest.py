"""Browser fixtures: Debian's chromium driven by Playwright against the live server and the
localstripe emulator (the payments tests' fixture, with its real signed webhooks)."""

import os
import shutil
from pathlib import Path

import pytest

from payments.tests.conftest import localstripe, localstripe_server  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Test runs keep their screenshots in var/ (git-ignored) to look at; `make screenshots` sets
# SCREENSHOTS_DIR=docs/screenshots to refresh the tracked ones the README shows.
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    """Missing chromium or playwright: skipped on a developer machine, a failure in CI (CI=true),
    so the browser tests can never silently stop running there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not shutil.which(CHROMIUM):
        message = (
            "browser tests need /usr/bin/chromium and playwright: scripts/install_browser_deps.sh"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an asyncio loop in this thread; Django would take our plain
    # synchronous ORM calls in the tests for async ones and refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web(browser, live_server, localstripe, settings):  # noqa: F811
    """(page factory, live server url): pages with the production CSP on and the emulator's
    Stripe.js, and the emulator's webhooks delivered to the live server."""
    settings.STRIPE_JS_URL = f"{localstripe.base}/js.stripe.com/v3/"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fitconnect_tests"
    settings.CSP_ENABLED = True
    localstripe.register_webhook(f"{live_server.url}/api/v1/payments/webhook/")
    contexts = []

    def new_page(viewport=DESKTOP, **context_options):
        """`context_options`: Playwright's, e.g. timezone_id="Asia/Tokyo" for the browser's
        own time zone."""
        context = browser.new_context(viewport=viewport, **context_options)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                page.errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield new_page, live_server.url
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    """Full-page screenshots of a page at phone and desktop widths, for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
