"""MkDocs hooks of this site (listed under ``hooks:`` in mkdocs.yml).

* Chapters whose front matter names an ``example`` get a notebook page in their own language,
  generated from that example before the build reads the docs folder.
* mkdocs-static-i18n rebuilds every file object after mkdocs-jupyter has marked notebooks as
  pages, so notebooks would be copied as raw files (mkdocs-static-i18n issue #198). Running
  after both, we mark them again and link each notebook to its other-language twin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile

from site_tools import layer_params, translations
from site_tools.figures import PROVENANCE_FILE, build_date
from site_tools.notebooks import build_notebook

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
EXAMPLE_KEY = re.compile(r"^example:\s*([\w]+)\s*$", re.MULTILINE)
TITLE = re.compile(r"^# (.+)$", re.MULTILINE)
NOTEBOOK_FOLDER = "notebooks"


def _languages(config) -> list[str]:
    return [language["locale"] for language in config.plugins["i18n"].config.languages]


def _default_language(config) -> str:
    return config.plugins["i18n"].default_language


def on_config(config):
    """Write each chapter's notebook into docs/<language>/notebooks/ (only when it changed)."""
    docs = Path(config.docs_dir)
    examples = Path(config.config_file_path).parent / "examples"
    for language in _languages(config):
        for page in sorted((docs / language).rglob("*.md")):
            text = page.read_text(encoding="utf-8")
            front = FRONT_MATTER.match(text)
            example = front and EXAMPLE_KEY.search(front.group(1))
            if not example:
                continue
            name = example.group(1)
            source = examples / f"{name}.py"
            if not source.is_file():
                raise PluginError(
                    f"{page}: front matter names example '{name}', but {source} does not exist"
                )
            title = TITLE.search(text)
            if not title:
                raise PluginError(f"{page}: a chapter with an example needs a '# Title' line")
            chapter = PurePosixPath(os.path.relpath(page, docs / language / NOTEBOOK_FOLDER))
            content = build_notebook(source, title.group(1).strip(), language, chapter.as_posix())
            target = docs / language / NOTEBOOK_FOLDER / f"{name}.ipynb"
            if not target.is_file() or target.read_text(encoding="utf-8") != content:
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_suffix(".ipynb.tmp")
                temporary.write_text(content, encoding="utf-8")
                temporary.replace(target)
    return config


@event_priority(-200)  # after mkdocs-static-i18n (-100), which undoes mkdocs-jupyter's work
def on_files(files: Files, config):
    languages = _languages(config)
    default = _default_language(config)
    for file in list(files):
        if not file.src_uri.endswith(".ipynb") or isinstance(file, NotebookFile):
            continue
        notebook = NotebookFile(file, config.use_directory_urls, config.site_dir)
        # Keep the folder mkdocs-static-i18n chose. It copied the destination from
        # mkdocs-jupyter's page, so it already ends in index.html unless directory URLs are off.
        dest = file.dest_path
        notebook.dest_path = (
            dest.removesuffix(".ipynb") + "/index.html" if dest.endswith(".ipynb") else dest
        )
        notebook.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, notebook.dest_path))
        notebook.url = notebook.dest_path.removesuffix("index.html")
        relative = PurePosixPath(notebook.url)
        if relative.parts[0] in languages:
            relative = relative.relative_to(relative.parts[0])
        page_url = relative.as_posix() + "/"
        notebook.alternates = {
            language: SimpleNamespace(
                url=page_url if language == default else f"{language}/{page_url}"
            )
            for language in languages
        }
        files.remove(file)
        files.append(notebook)  # mkdocs-jupyter's include_source copies the .ipynb beside it
    return files


def on_page_context(context, page, config, nav):
    """A notebook is generated: its edit link leads to the example it is made from."""
    if isinstance(page.file, NotebookFile) and config.edit_uri:
        example = PurePosixPath(page.file.src_uri).stem
        page.edit_url = urljoin(config.edit_uri, f"../examples/{example}.py")
    return context


def _drop_notebooks_from_search(index_path: Path) -> None:
    """Notebook pages repeat their chapter's code; in search they only push the chapter down."""
    if not index_path.is_file():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    kept = [doc for doc in index["docs"] if f"{NOTEBOOK_FOLDER}/" not in doc["location"]]
    if len(kept) != len(index["docs"]):
        index["docs"] = kept
        index_path.write_text(
            json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )


@event_priority(-300)  # after mkdocs-static-i18n has built every language
def on_post_build(config):
    """Trim the merged search index; give each language folder the sitemap the theme asks for.

    mkdocs-static-i18n writes one sitemap (with every language's pages) at the root, while the
    switch fetches <language>/sitemap.xml to check that the page exists there.
    """
    site = Path(config.site_dir)
    _drop_notebooks_from_search(site / "search" / "search_index.json")
    for language in _languages(config):
        folder = site / language  # exists only when site_dir is the root of the whole site
        if language == _default_language(config) or not folder.is_dir():
            continue
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            if (site / name).is_file():
                shutil.copyfile(site / name, folder / name)


NOTEBOOK_CODE = re.compile(r'(<div class="highlight-ipynb[^"]*")(?![^>]*tabindex)')
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

    output = ALTERNATE_LINK.sub(root, output)
    # Notebook code cells scroll sideways; a scrolling region needs to take keyboard focus.
    return NOTEBOOK_CODE.sub(r'\1 tabindex="0"', output)


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


TRANSLATION_STATUS = "<!-- translation-status -->"
PARAMETER_TABLE = re.compile(r"<!-- parameters: (\w+) -->")


def on_page_markdown(markdown, page, config, files):
    """Fill in generated content: the translation table, and each chapter's provenance line."""
    language = page.file.src_uri.split("/", 1)[0]
    markdown = PARAMETER_TABLE.sub(lambda m: layer_params.table(m.group(1), language), markdown)
    if TRANSLATION_STATUS in markdown:
        table = translations.as_markdown(translations.report(), language)
        markdown = markdown.replace(TRANSLATION_STATUS, table)
    example = page.meta.get("example")
    if not example:
        return markdown
    record = Path(config.docs_dir) / "figures" / example / PROVENANCE_FILE
    if record.is_file():
        facts = json.loads(record.read_text(encoding="utf-8"))
    else:  # no figures: the printed outputs are checked by the tests, on the CPU
        facts = {"torch": version("torch"), "device": "cpu", "date": build_date()}
    facts["device"] = {"cpu": "CPU", "cuda": "CUDA"}.get(facts["device"], facts["device"])
    with_figures, without = PROVENANCE.get(language, PROVENANCE["en"])
    line = (with_figures if record.is_file() else without).format(**facts)
    return f'{markdown}\n\n<p class="tutorial-provenance" markdown>{line}</p>\n'
