"""What a first visit to a page costs: gzip bytes of its HTML, CSS and JavaScript.

Counted from the built files, the same way on every machine: the page, its stylesheets and
scripts, the search worker and the lunr language files the worker loads. The browser tests check
that this list covers everything the browser really fetches.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urljoin

PAGE_BUDGET = 100 * 1024  # gzip bytes of HTML + CSS + JS on the first load of a chapter page
SEARCH_INDEX_BUDGET = 1024 * 1024  # bytes of search/search_index.json
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"')
CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.DOTALL)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def first_load(site: Path, page: str) -> dict[str, int]:
    """Map each file a first visit to ``page`` (e.g. 'models/x/') loads to its gzip size."""
    html_path = site / page / "index.html"
    html = html_path.read_text(encoding="utf-8")
    base_url = "/" + page
    wanted = [urljoin(base_url, href) for href in ASSET.findall(html)]
    config = json.loads(CONFIG.search(html).group(1))
    worker = urljoin(urljoin(base_url, config["base"] + "/"), config["search"])
    wanted.append(worker)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    lunr = Path(worker).parent.parent / "lunr" / "min"
    languages = [lang for lang in index["config"]["lang"] if lang != "en"]
    if languages:
        wanted += [str(lunr / "lunr.stemmer.support.min.js"), str(lunr / "lunr.multi.min.js")]
        wanted += [str(lunr / f"lunr.{lang}.min.js") for lang in languages]
    sizes = {f"{page}index.html": gzip_size(html_path.read_bytes())}
    for address in wanted:
        relative = address.split("?")[0].lstrip("/")
        sizes[relative] = gzip_size((site / relative).read_bytes())
    return sizes
