"""Hook: content the build writes into pages, in the page's language.

``<!-- parameters: Conv2d -->`` (a table read from the installed torch), ``<!-- downloads -->``
(the books of this language, with sizes), ``<!-- translation-status -->``, and each chapter's
provenance line (torch version, device, date). Measured outputs get a title bar, and the
tests' fence marks are left out of the page.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from site_tools import books, cjk, translations
from site_tools.figures import PROVENANCE_FILE, build_date
from site_tools.hooks.common import default_language, is_offline, languages, page_language
from site_tools.hooks.offline import DOWNLOAD_FOLDER

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


# The title bar of an output whose code carries <!--pytest.mark.measured(...)-->.
MEASURED = {
    "en": "Measured: one run on CPU with torch {torch}; on your machine the last digits may differ",
    "zh": "实测：torch {torch} 在 CPU 上的一次运行；在你的机器上，最后几位数字可能不同",
}
MEASURED_MARK = re.compile(r"^\s*<!--pytest\.mark\.measured\(")
OUTPUT_MARK = "<!--pytest-codeblocks:expected-output-->"
FENCE = re.compile(r"^(\s*)(`{3,})(.*)$")


TEST_MARK = re.compile(r"^\s*<!--[-\s]*pytest(?:-codeblocks:|\.mark\.).*-->\s*$")


def _for_readers(markdown: str, language: str) -> str:
    """Fence marks, as readers should see them: measured outputs titled, the marks dropped.

    The marks are for the tests. Left in, Python-Markdown makes a mark and the fence under it
    one paragraph inside an admonition, which puts a <div> inside a <p> (invalid HTML, and
    browsers repair it with empty paragraphs that add space below the code).
    """
    labelled = _label_measured_outputs(markdown, language).split("\n")
    kept, closing = [], ""
    for line in labelled:
        fence = FENCE.match(line)
        if closing:
            closing = "" if line.strip().startswith(closing) else closing
        elif fence:
            closing = fence.group(2)
        elif TEST_MARK.match(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def _label_measured_outputs(markdown: str, language: str) -> str:
    """Give the output fence of every measured block a title saying what the numbers are."""
    title = MEASURED.get(language, MEASURED["en"]).format(torch=version("torch"))
    lines = markdown.split("\n")
    state, closing = "", ""  # "" -> measured -> code -> output -> label
    for number, line in enumerate(lines):
        fence = FENCE.match(line)
        if closing:  # inside a fence: only its closing line matters
            if line.strip().startswith(closing):
                closing = ""
                state = "output" if state == "code" else ""
            continue
        if MEASURED_MARK.match(line):
            state = "measured"
        elif line.strip() == OUTPUT_MARK:
            state = "label" if state == "output" else ""
        elif fence:
            if state == "label":
                lines[number] = f'{line.rstrip()} title="{title}"'
                state = ""
            else:
                state = "code" if state == "measured" else ""
            closing = fence.group(2)
    return "\n".join(lines)


DOWNLOADS = "<!-- downloads -->"
DOWNLOAD_LINES = {
    "en": (
        '- **Offline copy**: <a href="{zip}" download>{zip_name}</a> ({zip_size}). Unpack it'
        " and open `index.html` in a browser: every page, figure and search, with no network.\n"
        '- **PDF**: <a href="{pdf}" download>{pdf_name}</a> ({pdf_size}), every chapter in'
        " reading order, with a table of contents.",
        "*The offline copy and the PDF are made by `nox -s books` (and `nox -s docs`).*",
        "*You are reading the offline copy. The site is at <{home}>, the other language at"
        " <{other}>, and this PDF at <{pdf}>.*",
    ),
    "zh": (
        '- **离线副本**：<a href="{zip}" download>{zip_name}</a>（{zip_size}）。解压后用浏览器'
        "打开 `index.html`：所有页面、图片和搜索都可用，无需联网。\n"
        '- **PDF**：<a href="{pdf}" download>{pdf_name}</a>（{pdf_size}），按阅读顺序收录'
        "所有章节，带目录。",
        "*离线副本和 PDF 由 `nox -s books`（以及 `nox -s docs`）生成。*",
        "*你正在阅读离线副本。网站在 <{home}>，另一种语言的版本在 <{other}>，本 PDF 在 <{pdf}>。*",
    ),
}


def _downloads(page, language: str, config) -> str:
    """The home page's list of this language's offline copy and PDF, with their sizes."""
    built, missing, offline = DOWNLOAD_LINES.get(language, DOWNLOAD_LINES["en"])
    manifest = books.BOOKS / books.MANIFEST
    if is_offline(config):
        site = config.site_url or ""
        other = next((lang for lang in languages(config) if lang != language), language)

        def home(lang: str) -> str:
            return site if lang == default_language(config) else f"{site}{lang}/"

        pdf = f"{site}{DOWNLOAD_FOLDER}/{books.NAME}-{language}.pdf"
        return offline.format(home=home(language), other=home(other), pdf=pdf)
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


def _parameter_table(match: re.Match, language: str) -> str:
    from site_tools import layer_params  # imports torch: only for a page that asks for a table

    return layer_params.table(match.group(1), language)


# A photo figure of a page: ![alt](…figures/<example>/<name>.<language>.png){ attributes }
PHOTO_FIGURE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*figures/[^)\s]+\.(?P<lang>[a-z]+)\.png)\)"
    r"(?:\{(?P<attributes>[^}]*)\})?"
)


def _dark_twins(markdown: str, page, config) -> str:
    """Each photo figure shown in the light scheme only, beside its dark drawing (examples/
    common.py draws both), shown in the dark scheme only and loaded only when shown (Material's
    #only-light and #only-dark; a hidden lazy image is not fetched)."""

    def twin(match: re.Match) -> str:
        alt, src, attributes = match["alt"], match["src"], (match["attributes"] or "").strip()
        dark = src[: -len(".png")] + ".dark.png"
        drawn = Path(config.docs_dir, page.file.src_uri).parent / dark
        if not drawn.resolve().is_file():
            raise PluginError(
                f"{page.file.src_uri}: {dark} is missing: the example draws it (nox -s docs)"
            )
        return (
            f"![{alt}]({src}#only-light){{ {attributes} }}"
            f'![{alt}]({dark}#only-dark){{ {attributes} loading="lazy" }}'
        )

    return PHOTO_FIGURE.sub(twin, markdown)


def on_page_markdown(markdown, page, config, files):
    language = page_language(page)
    markdown = cjk.join_lines(markdown)
    markdown = _dark_twins(markdown, page, config)
    markdown = PARAMETER_TABLE.sub(lambda m: _parameter_table(m, language), markdown)
    markdown = _for_readers(markdown, language)
    if DOWNLOADS in markdown:
        markdown = markdown.replace(DOWNLOADS, _downloads(page, language, config))
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
