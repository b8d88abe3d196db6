"""axe-core in the browser tests: a page may have no serious or critical accessibility violation.

axe-core comes from the npm registry into var/browser-deps (scripts/install_browser_deps.sh); the
app never serves it. It is evaluated through the DevTools protocol, which the pages'
Content-Security-Policy does not apply to, so the pages are checked with their real policy on.
"""

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "var/browser-deps/node_modules/axe-core/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def _source() -> str:
    if not AXE_JS.exists():
        message = f"axe-core is missing ({AXE_JS}): run scripts/install_browser_deps.sh"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text()


def violations(page) -> list[dict]:
    """axe's serious and critical violations of the page as it is now (WCAG 2.x A and AA)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "best-practice"]},
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page, what: str = "") -> None:
    found = violations(page)
    assert not found, f"axe on {what or page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in found
    )
