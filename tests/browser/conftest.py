"""Real-browser fixtures: Debian's Chromium driven by Playwright, the built site on localhost.

Every request that leaves localhost is blocked, except map tiles, which are answered with a
blank tile so pages stay quiet; a test can still see that tiles were asked for.
"""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BLANK_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def site_url(built_site):
    server, url = serve(built_site)
    yield url
    server.shutdown()


class PageWatch:
    """A page whose console errors, failed requests and outside requests are recorded."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        self.tiles: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} @ {m.location.get('url')}"))
        page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))
        page.on("requestfailed", self._failed)
        page.route("**/*", self._route)

    def _failed(self, request):
        # Leaflet cancels tile loads itself when the view changes (fitBounds): not a failure.
        if not self._is_tile(request.url):
            self.failed.append(f"{request.url} ({request.failure})")

    @staticmethod
    def _is_tile(url: str) -> bool:
        return "tile" in url and url.endswith(".png") and not url.startswith("http://127.0.0.1")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")):
            return route.continue_()
        if self._is_tile(url):
            self.tiles.append(url)
            return route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        self.outside.append(url)
        return route.abort()


def page_problems(watched: "PageWatch", url: str) -> list[str]:
    """Load `url` fully; every console error, page exception, failed or outside request."""
    watched.errors.clear(), watched.failed.clear(), watched.outside.clear()
    # networkidle: let every script, style, map and tile request finish before judging
    response = watched.page.goto(url, wait_until="networkidle")
    problems = [] if response is not None and response.status == 200 else [f"HTTP {response.status if response else '?'}"]
    return problems + watched.errors + watched.failed + watched.outside


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield PageWatch(page)
    context.close()
