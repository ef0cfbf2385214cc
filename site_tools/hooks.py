"""MkDocs hooks of this site (listed under ``hooks:`` in mkdocs.yml).

* Each chapter (a page whose front matter names an ``example``) gets a notebook in its own
  language, made from the page and executed (see site_tools/notebooks.py), before the build
  reads the docs folder; the page gets a download button for it near the top.
* The head's hreflang links and the per-language sitemaps, as Material's language switch needs.
* The home pages list the offline copy and the PDF of their language (site_tools/books.py),
  which the build copies into downloads/; an offline build serves its own search shim.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

from site_tools import books, layer_params, notebooks, translations
from site_tools.figures import PROVENANCE_FILE, build_date

log = logging.getLogger("mkdocs.hooks.notebooks")


def _languages(config) -> list[str]:
    return [language["locale"] for language in config.plugins["i18n"].config.languages]


def _default_language(config) -> str:
    return config.plugins["i18n"].default_language


IFRAME_WORKER = "assets/javascripts/iframe-worker-shim.js"
DOWNLOAD_FOLDER = "downloads"


def _offline(config) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)


@event_priority(50)  # before Material's offline plugin, which would load the shim from unpkg
def on_config(config):
    """Write each chapter's executed notebook into docs/<language>/notebooks/ (if it changed).

    An offline build loads the iframe-worker shim (search under file://) from the site itself.
    """
    if _offline(config):
        config.extra["polyfills"] = [IFRAME_WORKER]
    for language in _languages(config):
        for chapter in notebooks.chapters(language):
            notebooks.write(chapter, config.site_url, _default_language(config), log.info)
    return config


@event_priority(-300)  # after mkdocs-static-i18n has built every language
def on_post_build(config):
    """Give each language folder the sitemap the theme asks for.

    mkdocs-static-i18n writes one sitemap (with every language's pages) at the root, while the
    switch fetches <language>/sitemap.xml to check that the page exists there.
    """
    site = Path(config.site_dir)
    if _offline(config):
        shim = Path(config.config_file_path).parent / "node_modules/iframe-worker/shim/index.js"
        if not shim.is_file():
            raise PluginError(f"{shim} is missing: run 'npm ci' (offline search needs it)")
        (site / IFRAME_WORKER).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shim, site / IFRAME_WORKER)
    manifest = books.BOOKS / books.MANIFEST
    others = [lang for lang in _languages(config) if lang != _default_language(config)]
    is_root = all((site / language).is_dir() for language in others)  # not a language's own
    if is_root and not _offline(config) and manifest.is_file():
        target = site / DOWNLOAD_FOLDER
        target.mkdir(parents=True, exist_ok=True)
        for name in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            shutil.copyfile(books.BOOKS / name, target / name)
    for language in _languages(config):
        folder = site / language  # exists only when site_dir is the root of the whole site
        if language == _default_language(config) or not folder.is_dir():
            continue
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            if (site / name).is_file():
                shutil.copyfile(site / name, folder / name)


ALTERNATE_LINK = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="([\w-]+)">')


def on_post_page(output, page, config):
    """Point the head's hreflang links at each language's root, as the theme's script expects.

    The theme fetches sitemap.xml next to every such link to map pages between languages;
    mkdocs-static-i18n points them at pages, so each page load asked for a missing
    <page>/sitemap.xml. The visible language switch keeps its page-to-page links.
    """
    base = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    default = _default_language(config)

    def root(match: re.Match) -> str:
        language = match.group(1)
        href = base if language == default else f"{base}{language}/"
        return f'<link rel="alternate" href="{href}" hreflang="{language}">'

    return ALTERNATE_LINK.sub(root, output)


PROVENANCE = {  # (with figures, without)
    "en": (
        "Outputs and figures on this page were produced with torch {torch} on {device}, {date}.",
        "Outputs on this page were checked with torch {torch} on {device}, {date}.",
    ),
    "zh": (
        "本页的输出和图片由 torch {torch} 在 {device} 上生成，日期 {date}。",
        "本页的输出由 torch {torch} 在 {device} 上核对，日期 {date}。",
    ),
}


DOWNLOAD = {
    "en": "Download this chapter as a Jupyter notebook (.ipynb)",
    "zh": "下载本章的 Jupyter 笔记本（.ipynb）",
}
H1 = re.compile(r"^# .+$", re.MULTILINE)


def _download_button(markdown: str, page, language: str, example: str) -> str:
    """Put a download button for the chapter's notebook right under its title."""
    folder = PurePosixPath(page.file.src_uri).parent
    notebook = PurePosixPath(language, notebooks.FOLDER, f"{example}.ipynb")
    href = PurePosixPath(os.path.relpath(notebook, folder)).as_posix()
    label = DOWNLOAD.get(language, DOWNLOAD["en"])
    button = f'[{label}]({href}){{ .md-button .tutorial-download download="{example}.ipynb" }}'
    return H1.sub(lambda m: f"{m.group(0)}\n\n{button}\n", markdown, count=1)


DOWNLOADS = "<!-- downloads -->"
DOWNLOAD_LINES = {
    "en": (
        '- **Offline copy**: <a href="{zip}" download>{zip_name}</a> ({zip_size}). Unpack it'
        " and open `index.html` in a browser: every page, figure and search, with no network.\n"
        '- **PDF**: <a href="{pdf}" download>{pdf_name}</a> ({pdf_size}), every chapter in'
        " reading order, with a table of contents.",
        "*The offline copy and the PDF are made by `nox -s books` (and `nox -s docs`).*",
        "*You are reading the offline copy. The other language and the PDF are on the site.*",
    ),
    "zh": (
        '- **离线副本**：<a href="{zip}" download>{zip_name}</a>（{zip_size}）。解压后用浏览器'
        "打开 `index.html`：所有页面、图片和搜索都可用，无需联网。\n"
        '- **PDF**：<a href="{pdf}" download>{pdf_name}</a>（{pdf_size}），按阅读顺序收录'
        "所有章节，带目录。",
        "*离线副本和 PDF 由 `nox -s books`（以及 `nox -s docs`）生成。*",
        "*你正在阅读离线副本。另一种语言的版本和 PDF 在网站上。*",
    ),
}


def _downloads(page, language: str, config) -> str:
    """The home page's list of this language's offline copy and PDF, with their sizes."""
    built, missing, offline = DOWNLOAD_LINES.get(language, DOWNLOAD_LINES["en"])
    manifest = books.BOOKS / books.MANIFEST
    if _offline(config):
        return offline
    if not manifest.is_file():
        return missing
    sizes = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    names = {kind: f"{books.NAME}-{language}.{kind}" for kind in ("zip", "pdf")}
    if not all(name in sizes for name in names.values()):
        return missing
    facts = {}
    for kind, name in names.items():
        facts[kind] = get_relative_url(f"{DOWNLOAD_FOLDER}/{name}", page.url)
        facts[f"{kind}_name"] = name
        facts[f"{kind}_size"] = f"{sizes[name] / 1024 / 1024:.1f} MiB"
    return built.format(**facts)


TRANSLATION_STATUS = "<!-- translation-status -->"
PARAMETER_TABLE = re.compile(r"<!-- parameters: (\w+) -->")


def on_page_markdown(markdown, page, config, files):
    """Fill in generated content: the translation table, and each chapter's provenance line."""
    language = page.file.src_uri.split("/", 1)[0]
    markdown = PARAMETER_TABLE.sub(lambda m: layer_params.table(m.group(1), language), markdown)
    if DOWNLOADS in markdown:
        markdown = markdown.replace(DOWNLOADS, _downloads(page, language, config))
    if TRANSLATION_STATUS in markdown:
        table = translations.as_markdown(translations.report(), language)
        markdown = markdown.replace(TRANSLATION_STATUS, table)
    example = page.meta.get("example")
    if not example:
        return markdown
    markdown = _download_button(markdown, page, language, example)
    record = Path(config.docs_dir) / "figures" / example / PROVENANCE_FILE
    if record.is_file():
        facts = json.loads(record.read_text(encoding="utf-8"))
    else:  # no figures: the printed outputs are checked by the tests, on the CPU
        facts = {"torch": version("torch"), "device": "cpu", "date": build_date()}
    facts["device"] = {"cpu": "CPU", "cuda": "CUDA"}.get(facts["device"], facts["device"])
    with_figures, without = PROVENANCE.get(language, PROVENANCE["en"])
    line = (with_figures if record.is_file() else without).format(**facts)
    return f'{markdown}\n\n<p class="tutorial-provenance" markdown>{line}</p>\n'
