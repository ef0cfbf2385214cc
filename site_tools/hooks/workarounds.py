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
   Served anywhere else (a pull-request preview, ``python -m http.server``), those absolute
   links made Material fetch each alternate's ``sitemap.xml`` from ``site_url``'s host: two
   console errors per page, and a language switch that left the preview. A small script right
   after them moves them to the host the page came from, in the browser only; the HTML, which
   search engines read, keeps the absolute links.
3. Material (9.8) writes ``tabindex=""`` on the navigation's section labels, which HTML does not
   allow (the Nu HTML Checker: "Bad value for attribute tabindex"). Browsers already read an
   empty tabindex as none, so dropping it changes no behaviour. (Material's ``autocomplete="off"``
   on its two toggle checkboxes is also invalid, but it is deliberate: it stops Firefox from
   restoring an open drawer on reload, https://github.com/squidfunk/mkdocs-material/issues/1513;
   tests/test_site.py lists it as theirs.)
4. mkdocs-static-i18n (1.3) stacks every language's pages into one search index at the root,
   and Material's search, which loads it from the page's ``base``, then offers a reader of one
   language the other's pages too, often first (an English "LeNet" above the Chinese one). We
   give each language its own index, ``<language>/search/search_index.json`` (and ``.js`` for
   the offline copy), with the root keeping the default language's, and point the pages of
   each language's folder at their own folder as ``base``; ``base`` serves Material for the
   search index and the sitemap, which workaround 1 already puts in each language's folder.
5. Material's search worker (9.8) splits a Chinese query into the words of its index, but its
   loop stops one character short: it never tries a word that ends the query. "线性回归" was
   searched as "线性" alone, so 线性层 came first; any query's last word was lost unless a
   shorter word started there. We correct the two loop bounds in the built worker (the
   segmentation came with https://github.com/squidfunk/mkdocs-material/issues/3915; this
   off-by-one is not reported there). If the pinned worker's code changes, the build warns
   (a strict build fails) and names the file.
6. mkdocs-static-i18n (1.3) builds each language into the same site folder, and each build
   writes the theme's ``404.html`` at the root: the last language's wins, so an English reader
   who followed a dead link got the Chinese page. We keep the page each language's build
   renders, and write the default language's at the root and each other one in its folder
   (``zh/404.html``, which the offline copy of that language carries).
7. mkdocs-jupyter (0.26) makes a notebook a page by wrapping its file in a ``NotebookFile`` that
   says it is a documentation page, but mkdocs-static-i18n (1.3) then remakes every file as a
   plain ``File``, by extension a static file: the program pages were copied out as raw JSON
   under ``index.html`` (https://github.com/ultrabug/mkdocs-static-i18n/issues/198 and #135).
   We make MkDocs' ``File`` count as a documentation page any file mkdocs-jupyter includes, so
   that i18n keeps each language's notebook as that language's page and mkdocs-jupyter renders it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from site_tools.hooks.common import SEARCH_INDEX_SCRIPT, default_language, languages

log = logging.getLogger("mkdocs.hooks.workarounds")

ALTERNATE_LINK = re.compile(
    r'<link rel="alternate" href="(?P<href>[^"]*)" hreflang="(?P<language>[\w-]+)">'
)


def _enabled() -> bool:
    return not os.environ.get("TUTORIAL_WITHOUT_WORKAROUNDS")


_PLAIN_IS_PAGE = File.is_documentation_page


@event_priority(100)  # before any plugin sorts the files
def on_config(config):
    """Workaround 7: a notebook mkdocs-jupyter includes stays a page through i18n's files."""
    File.is_documentation_page = _PLAIN_IS_PAGE  # a rebuild in the same process starts plain
    jupyter = config.plugins.get("mkdocs-jupyter")
    if not _enabled() or jupyter is None:
        return config

    def is_documentation_page(file: File) -> bool:
        if _PLAIN_IS_PAGE(file):
            return True
        return file.src_uri.endswith(".ipynb") and jupyter.should_include(file)

    File.is_documentation_page = is_documentation_page
    return config


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
    _split_search_index(site, config)
    _whole_query_segmentation(site)
    _not_found_per_language(site, config)
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


CONFIG_BASE = re.compile(r'(<script id="__config" type="application/json">\{[^<]*?"base": )"[^"]*"')


def _language_base(output: str, page, config) -> str:
    """Workaround 4: a page in a language's folder takes that folder as its ``base``."""
    language = page.url.split("/", 1)[0]
    if language not in languages(config) or language == default_language(config):
        return output
    inside = page.url.split("/")[1:]  # the page's path inside its language's folder
    depth = len([part for part in inside if part]) - (0 if page.url.endswith("/") else 1)
    base = "/".join([".."] * depth) or "."
    return CONFIG_BASE.sub(lambda m: f'{m.group(1)}"{base}"', output, count=1)


def on_post_page(output, page, config):
    """Workaround 2: hreflang links absolute, page to page; 3: no empty tabindex; 4: base."""
    if not _enabled():
        return output
    output = EMPTY_TABINDEX.sub(r"\1", output)
    output = _language_base(output, page, config)
    here = page.canonical_url or urljoin(config.site_url or "/", page.url)

    def absolute(match: re.Match) -> str:
        href = urljoin(here, match.group("href"))
        return f'<link rel="alternate" href="{href}" hreflang="{match.group("language")}">'

    output = ALTERNATE_LINK.sub(absolute, output)
    last = list(ALTERNATE_LINK.finditer(output))
    if last and config.site_url:
        script = f"<script>{ALTERNATES_ON_THIS_HOST % json.dumps(config.site_url)}</script>"
        output = output[: last[-1].end()] + script + output[last[-1].end() :]
    return output


# Where the page is not served from site_url, point the alternates at the same pages on this
# host: the page's own address, less its path inside the site (its canonical link, less
# site_url), is the site's address here.
ALTERNATES_ON_THIS_HOST = (
    "(function(s){var c=document.querySelector('link[rel=canonical]'),"
    "h=location.href.split('#')[0].split('?')[0];"
    "if(!c||c.href.indexOf(s)!==0)return;var p=c.href.slice(s.length);"
    "if(h.substring(h.length-p.length)!==p)return;var b=h.substring(0,h.length-p.length);"
    "if(b===s)return;"
    "document.querySelectorAll('link[rel=alternate]').forEach(function(l){"
    "if(l.href.indexOf(s)===0)l.href=b+l.href.slice(s.length)})})(%s)"
)


NOT_FOUND = "404.html"
_not_found: dict[str, str] = {}  # language -> its 404 page, as each language's build renders it


@event_priority(-100)  # last: the 404 page kept for workaround 6 is the finished one
def on_post_template(output_content, template_name, config):
    """Workaround 3 on pages made from a template alone (404.html); 6: keep each one's 404."""
    if not _enabled():
        return output_content
    output_content = EMPTY_TABINDEX.sub(r"\1", output_content)
    if template_name == NOT_FOUND:
        _not_found[config.plugins["i18n"].current_language] = output_content
    return output_content


def _not_found_per_language(site: Path, config) -> None:
    """Workaround 6: the default language's 404 at the root, each other one in its folder."""
    for language, page in _not_found.items():
        if language == default_language(config):
            (site / NOT_FOUND).write_text(page, encoding="utf-8")
        elif (site / language).is_dir():
            (site / language / NOT_FOUND).write_text(page, encoding="utf-8")


def _split_search_index(site: Path, config) -> None:
    """Workaround 4: one search index per language, each in its own folder."""
    index_file = site / "search" / "search_index.json"
    if not index_file.is_file():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    others = [lang for lang in languages(config) if lang != default_language(config)]
    by_language: dict[str, list] = {lang: [] for lang in [default_language(config), *others]}
    for doc in index["docs"]:
        top = doc["location"].split("/", 1)[0]
        if top in others:
            doc = {**doc, "location": doc["location"][len(top) + 1 :]}
            by_language[top].append(doc)
        else:
            by_language[default_language(config)].append(doc)
    offline = (site / "search" / "search_index.js").is_file()
    for language, docs in by_language.items():
        folder = (
            site / "search" if language == default_language(config) else site / language / "search"
        )
        if language != default_language(config) and not (site / language).is_dir():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**index, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
        (folder / "search_index.json").write_text(text, encoding="utf-8")
        if offline:  # Material reads the index as a script under file://
            (folder / "search_index.js").write_text(SEARCH_INDEX_SCRIPT + text, encoding="utf-8")


# Material's segmenter, minified: for every start s it tries ends o < length, and it resumes
# after a word only before the last character. Both bounds must reach the end of the query.
SEGMENT_LOOPS = (
    (
        "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e",
        "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e",
    ),
    ("n[a]&&a<t.length-1&&", "n[a]&&a<t.length&&"),
)


def _whole_query_segmentation(site: Path) -> None:
    """Workaround 5: Material's query segmenter also tries the words that end a query."""
    for worker in sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        text = worker.read_text(encoding="utf-8")
        if all(fixed in text for _, fixed in SEGMENT_LOOPS):
            continue  # already corrected (a rebuild into the same folder)
        if not all(text.count(buggy) == 1 for buggy, _ in SEGMENT_LOOPS):
            log.warning(
                "workaround 5: %s no longer has the query segmenter's loops this build corrects; "
                "see site_tools/hooks/workarounds.py and its canary in tests/test_workarounds.py",
                worker.relative_to(site),
            )
            continue
        for buggy, fixed in SEGMENT_LOOPS:
            text = text.replace(buggy, fixed)
        worker.write_text(text, encoding="utf-8")
