"""Serve the built site on loopback under site_url's path, and find a Chromium to drive it."""

from __future__ import annotations

import functools
import gzip
import io
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from site_tools.project import ROOT as PROJECT_ROOT
from site_tools.project import settings

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def site_prefix() -> str:
    """The path part of site_url in mkdocs.yml, e.g. '/pytorch-models/'."""
    return urlsplit(settings()["site_url"]).path or "/"


COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".ipynb"}


class PrefixedHandler(SimpleHTTPRequestHandler):
    """Files under site_url's path, gzip-compressed when the browser asks, as a static host does."""

    prefix = "/"

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        if not urlsplit(self.path).path.endswith("/") and path.name == "index.html":
            return super().send_head()  # the redirect to the folder's address
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + clean[len(self.prefix) :])

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@contextmanager
def serve(site: Path, port: int = 0) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (any free port by default); yield the base address."""
    prefix = site_prefix()
    handler = functools.partial(
        type("Handler", (PrefixedHandler,), {"prefix": prefix}), directory=str(site)
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def axe_script() -> Path:
    return PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def search(page, query: str) -> list[str]:
    """Type ``query`` into Material's search box; return the result pages, best first."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    field = page.locator("input.md-search__input")
    if not field.is_visible():  # narrow screens open search with a header button
        page.locator("label.md-header__button[for=__search]").click()
    if page.locator(".md-search-result__item").count():  # an earlier query's results
        field.fill("")
        field.press("Backspace")  # the keystroke makes Material clear them
        page.wait_for_selector(".md-search-result__item", state="detached", timeout=5_000)
    # Material searches on keyup, which fill() does not send: one key press does. The index is
    # built in a web worker after the page loads; a query typed before it is ready gets no
    # answer, so type it again, as a reader would, until results appear.
    field.fill(query)
    field.press("End")
    for attempt in range(3):
        try:
            page.wait_for_selector(".md-search-result__item", timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            field.press("End")
            field.press_sequentially(" ")  # one more keystroke makes the search run again
            field.press("Backspace")
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "as => as.map(a => a.href)")
    return [href.split("#")[0].split("?")[0] for href in hrefs]
