"""What the browser tests share: the test app served on loopback, Debian's
chromium driven by Playwright, signing in, numbered screenshots and an
axe-core scan.

Test modules import the fixtures by name (``from tests.browser_support import
browser, live_server``) so pytest finds them there.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
# Long enough for a loaded 2-core machine, short enough that a missing element fails the test quickly.
TIMEOUT_MS = 15000
BLOCKING_IMPACTS = ("serious", "critical")


class QuietHandler(WSGIRequestHandler):
    """Serves requests without logging each one (a failing test's log shows the app's own records)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test app served by werkzeug in a thread on a free loopback port; each request runs in its own context."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium, headless, launched once per test."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def new_page(browser, **context_options: Any):  # type: ignore[no-untyped-def]
    """A page in a fresh context (own cookies) with the standard viewport and timeout."""
    context = browser.new_context(**{"viewport": VIEWPORT, "accept_downloads": True, **context_options})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page, live_server: str, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the login form; fails unless the sign-in worked."""
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main [type=submit]")
    page.wait_for_selector("form[action$='/auth/logout']")
    return page


def signed_in(browser, live_server: str, user, password: str = PASSWORD, **context_options: Any):  # type: ignore[no-untyped-def]
    """A new page whose context is signed in as *user* (a User or an e-mail address)."""
    return sign_in(new_page(browser, **context_options), live_server, getattr(user, "email", user), password)


class Shots:
    """Numbered full-page screenshots in one folder: 01-name.png, 02-…"""

    def __init__(self, folder: Path, *, clear: bool = True):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        if clear:
            for old in self.folder.glob("*.png"):
                old.unlink()
        self.taken: list[Path] = []

    def __call__(self, page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        page.wait_for_load_state()  # a click that navigates returns once the new page starts loading
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.x A/AA and best-practice rules) on the page as it
    is; return the violations of the given impacts. The page's context must
    be opened with bypass_csp=True: the CSP refuses the injected script."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                       summary: n.failureSummary}))}));
    }""")
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as readable text for an assertion message."""
    return json.dumps(violations, indent=2, ensure_ascii=False)


def focused(page) -> str:  # type: ignore[no-untyped-def]
    """The focused element, briefly (tag#id.classes[name=value] text), for assertion messages."""
    return page.evaluate("""() => { const e = document.activeElement;
        return (`${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')}` +
                `[${e.getAttribute('name') || ''}=${e.getAttribute('value') || ''}] ${e.innerText || ''}`)
               .trim().slice(0, 120); }""")


def is_focused(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab (Shift+Tab if *backwards*) until the focused element matches
    *selector*, as a keyboard user would. Raises AssertionError after *limit* presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(page, selector):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {selector}; focus is on {focused(page)}")
