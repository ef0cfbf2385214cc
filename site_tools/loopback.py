"""Serve the built site on loopback under site_url's path, and find a Chromium to drive it."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from examples.paths import PROJECT_ROOT

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
    text = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("site_url:"))
    url = line.split('"')[1] if '"' in line else line.split(":", 1)[1].strip()
    return urlsplit(os.environ.get("SITE_URL", url)).path or "/"


class PrefixedHandler(SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + clean[len(self.prefix) :])

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1; yield the base address, prefix included."""
    prefix = site_prefix()
    handler = functools.partial(
        type("Handler", (PrefixedHandler,), {"prefix": prefix}), directory=str(site)
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
