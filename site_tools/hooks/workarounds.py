"""Hook: workarounds for the way two libraries meet; each has a canary in tests/test_workarounds.py
that fails once upstream behaves, so that we know when to delete it.

Set TUTORIAL_WITHOUT_WORKAROUNDS=1 to build without them (the canaries do).

1. mkdocs-static-i18n (1.3) writes one sitemap.xml, with every language's pages, at the root of
   the site (https://github.com/ultrabug/mkdocs-static-i18n/pull/87 added its alternates), while
   Material's language switch fetches ``sitemap.xml`` beside each language's root to check that
   the page exists there. We copy the root sitemap into each language's folder.
2. mkdocs-static-i18n points the head's ``<link rel="alternate" hreflang>`` at pages, and
   Material fetches ``sitemap.xml`` relative to each of those links, so every page load asked for
   a missing ``<page>/sitemap.xml``. We point them at the languages' roots; the visible language
   switch keeps its page-to-page links.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.plugins import event_priority

from site_tools.hooks.common import default_language, languages

ALTERNATE_LINK = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="([\w-]+)">')


def _enabled() -> bool:
    return not os.environ.get("TUTORIAL_WITHOUT_WORKAROUNDS")


@event_priority(-300)  # after mkdocs-static-i18n has built every language
def on_post_build(config):
    """Workaround 1: a sitemap in each language's folder."""
    if not _enabled():
        return
    site = Path(config.site_dir)
    for language in languages(config):
        folder = site / language  # exists only when site_dir is the root of the whole site
        if language == default_language(config) or not folder.is_dir():
            continue
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            if (site / name).is_file():
                shutil.copyfile(site / name, folder / name)


def on_post_page(output, page, config):
    """Workaround 2: hreflang links at the languages' roots."""
    if not _enabled():
        return output
    base = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    default = default_language(config)

    def root(match: re.Match) -> str:
        language = match.group(1)
        href = base if language == default else f"{base}{language}/"
        return f'<link rel="alternate" href="{href}" hreflang="{language}">'

    return ALTERNATE_LINK.sub(root, output)
