"""Hook: workarounds for the way two libraries meet; each has a canary in tests/test_workarounds.py
that fails once upstream behaves, so that we know when to delete it.

Set TUTORIAL_WITHOUT_WORKAROUNDS=1 to build without them (the canaries do).

1. mkdocs-static-i18n (1.3) writes one sitemap.xml, with every language's pages, at the root of
   the site (https://github.com/ultrabug/mkdocs-static-i18n/pull/87 added its alternates), while
   Material's language switch fetches ``sitemap.xml`` beside each language's root to check that
   the page exists there. We copy the root sitemap into each language's folder.
2. mkdocs-static-i18n writes the head's ``<link rel="alternate" hreflang>`` as relative links
   (``../../../layers/pooling/``), which search engines and Lighthouse reject: hreflang alternates
   must be absolute. We make them absolute, still page to page. Material's script fetches
   ``sitemap.xml`` relative to each alternate link (to keep the language switch on the same
   page), so every page gets a one-entry ``sitemap.xml`` beside it; without it every page load
   asked for a missing ``<page>/sitemap.xml``.
3. Material (9.8) writes ``tabindex=""`` on the navigation's section labels, which HTML does not
   allow (the Nu HTML Checker: "Bad value for attribute tabindex"). Browsers already read an
   empty tabindex as none, so dropping it changes no behaviour. (Material's ``autocomplete="off"``
   on its two toggle checkboxes is also invalid, but it is deliberate: it stops Firefox from
   restoring an open drawer on reload, https://github.com/squidfunk/mkdocs-material/issues/1513;
   tests/test_site.py lists it as theirs.)
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.plugins import event_priority

from site_tools.hooks.common import default_language, languages

ALTERNATE_LINK = re.compile(
    r'<link rel="alternate" href="(?P<href>[^"]*)" hreflang="(?P<language>[\w-]+)">'
)


def _enabled() -> bool:
    return not os.environ.get("TUTORIAL_WITHOUT_WORKAROUNDS")


URL_ENTRY = re.compile(r"<url>.*?</url>", re.S)
LOCATION = re.compile(r"<loc>([^<]+)</loc>")


@event_priority(-300)  # after mkdocs-static-i18n has built every language
def on_post_build(config):
    """Workaround 1: a sitemap in each language's folder; workaround 2: one beside each page."""
    if not _enabled():
        return
    site = Path(config.site_dir)
    root_sitemap = site / "sitemap.xml"
    if not root_sitemap.is_file():
        return
    for language in languages(config):
        folder = site / language  # exists only when site_dir is the root of the whole site
        if language == default_language(config) or not folder.is_dir():
            continue
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            if (site / name).is_file():
                shutil.copyfile(site / name, folder / name)
    text = root_sitemap.read_text(encoding="utf-8")
    head, entries = text[: text.index("<url>")], URL_ENTRY.findall(text)
    base = config.site_url or ""
    for entry in entries:
        location = LOCATION.search(entry)
        if not location or not location.group(1).startswith(base):
            continue
        folder = site / location.group(1)[len(base) :]
        target = folder / "sitemap.xml"
        if (folder / "index.html").is_file() and not target.exists():
            target.write_text(f"{head}{entry}\n</urlset>\n", encoding="utf-8")


EMPTY_TABINDEX = re.compile(r'(<label\b[^>]*?) tabindex=""')


def on_post_page(output, page, config):
    """Workaround 2: hreflang links absolute, page to page; workaround 3: no empty tabindex."""
    if not _enabled():
        return output
    output = EMPTY_TABINDEX.sub(r"\1", output)
    here = page.canonical_url or urljoin(config.site_url or "/", page.url)

    def absolute(match: re.Match) -> str:
        href = urljoin(here, match.group("href"))
        return f'<link rel="alternate" href="{href}" hreflang="{match.group("language")}">'

    return ALTERNATE_LINK.sub(absolute, output)


def on_post_template(output_content, template_name, config):
    """Workaround 3 on pages made from a template alone (404.html)."""
    if not _enabled():
        return output_content
    return EMPTY_TABINDEX.sub(r"\1", output_content)
