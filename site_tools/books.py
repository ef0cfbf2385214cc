"""The book to take away: per language, an offline copy (a zip) and a PDF.

    python -m site_tools.books [--out build/books]      (or `nox -s books`; `nox -s docs` too)

The offline copy is the site built with Material's offline plugin (OFFLINE=true: plain
``.html`` links, the search index as a script, the iframe-worker shim served from the copy
itself), cut into one zip per language. Each zip holds that language's pages, the shared assets
and figures, and a search index with only that language's pages; the language switch is
removed, since the other language is a separate download. Open ``index.html`` from the unpacked
folder: no server and no network are needed.

The PDF is printed by the Chromium the browser tests use: a title page, a table of contents with
page numbers, then every chapter in reading order, with page numbers at the foot of each page.
``manifest.json`` beside them lists each file with its size (for the home pages) and a hash of
everything the books are made from: unchanged inputs are not built again.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from site_tools import project
from site_tools.figures import build_date
from site_tools.hooks.workarounds import ALTERNATE_LINK, CONFIG_BASE, NOT_FOUND
from site_tools.loopback import CHROMIUM_FLAGS, chromium_path, site_prefix
from site_tools.project import ROOT as PROJECT_ROOT

BOOKS = PROJECT_ROOT / "build" / "books"
MANIFEST = "manifest.json"
NAME = "pytorch-models"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # every entry gets the same time: the zip is reproducible

TEXT = {
    "en": {
        "title": "PyTorch Models, Step by Step",
        "subtitle": "A bilingual tutorial on building PyTorch models; every line of code runs.",
        "contents": "Contents",
        "chapter": "Chapter {number}",
        "provenance": "Outputs and figures produced with torch {torch}, {date}.",
    },
    "zh": {
        "title": "PyTorch 模型，一步一步",
        "subtitle": "一个中英双语的 PyTorch 模型构建教程；每一行代码都能运行。",
        "contents": "目录",
        "chapter": "第 {number} 章",
        "provenance": "输出和图片由 torch {torch} 生成，日期 {date}。",
    },
}
LANGUAGE_SWITCH = re.compile(
    r'<div class="md-header__option">\s*<div class="md-select">.*?</div>\s*</div>\s*</div>',
    re.DOTALL,
)
ALTERNATE = re.compile(ALTERNATE_LINK.pattern + r"\n?")
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.DOTALL)
DROP_IN_PRINT = [
    re.compile(r'<a [^>]*class="md-content__button[^"]*"[^>]*>.*?</a>', re.DOTALL),
    re.compile(r'<p class="tutorial-screen">.*?</p>', re.DOTALL),  # the files of the copy
    re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL),
    re.compile(r'<img [^>]*src="[^"]*#only-dark"[^>]*>'),  # paper is light
]

# Collapsed blocks (the exercises' solutions) cannot be opened on paper: print them open.
CLOSED_DETAILS = re.compile(r"<details(?=[\s>])(?![^>]*\sopen\b)")


class BookError(RuntimeError):
    """A book that cannot be built; the message says what is missing."""


@dataclass
class Chapter:
    number: int
    title: str
    source: str  # path inside one language's docs tree, e.g. models/lenet.md


def reading_order() -> list[Chapter]:
    """The chapters in the order of the site's navigation."""
    return [
        Chapter(number, "", chapter.source)
        for number, chapter in enumerate(project.chapters(), start=1)
    ]


def build_offline(folder: Path) -> None:
    """Build the whole site for reading from the file system into ``folder``."""
    try:
        project.mkdocs_build(folder, env={"OFFLINE": "true"})
    except project.BuildError as error:
        raise BookError(f"the offline build failed: {error}") from None


SHARED = ("assets", "stylesheets", "figures", "programs")  # what every language's pages use
# Each language has its own search index in its own folder (site_tools/hooks/workarounds.py).


def _language_files(site: Path, language: str, default: str, languages: list[str]) -> list[Path]:
    """The files one language's copy needs: its pages and what the languages share."""
    others = {other for other in languages if other != default}
    files = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix == ".gz" or path.name == "sitemap.xml":
            continue
        top = path.relative_to(site).parts[0]
        if language == default and top not in others:
            files.append(path)
        elif language != default and top in (language, *SHARED):
            files.append(path)
    return files


def page_text(text: str) -> str:
    """Text from a PDF page as a reader would type it: CJK radicals folded, spaces single."""
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFKC", text))


def not_found_page(text: str, language: str, default: str) -> str:
    """A language's 404 page for the root of its offline copy: links from there, not from
    site_url's path (a host serves a 404 page at any depth, so the theme links absolutely)."""
    text = text.replace(f'"{site_prefix()}', '"')
    base = "." if language == default else language  # where the language's search index is
    return CONFIG_BASE.sub(lambda m: f'{m.group(1)}"{base}"', text, count=1)


def make_zip(site: Path, language: str, default: str, languages: list[str], target: Path) -> Path:
    """Pack one language's offline copy into ``target``, reproducibly."""
    root = f"{NAME}-{language}"
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".zip", delete=False) as handle:
        partial = Path(handle.name)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:

            def add(name: str, data: bytes) -> None:
                info = zipfile.ZipInfo(f"{root}/{name}", ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)

            for path in _language_files(site, language, default, languages):
                name = path.relative_to(site).as_posix()
                if name.endswith("search/search_index.json"):
                    continue  # under file:// Material reads the .js beside it
                data = path.read_bytes()
                if path.suffix == ".html":
                    text = data.decode("utf-8")
                    text = ALTERNATE.sub("", LANGUAGE_SWITCH.sub("", text))
                    if name == (NOT_FOUND if language == default else f"{language}/{NOT_FOUND}"):
                        name, text = NOT_FOUND, not_found_page(text, language, default)
                    data = text.encode("utf-8")
                    if language != default and name == f"{language}/index.html":
                        add("index.html", _redirect(f"{language}/index.html").encode())
                add(name, data)
        partial.chmod(0o644)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _redirect(target: str) -> str:
    return (
        '<!doctype html><meta charset="utf-8"><title>PyTorch</title>'
        f'<meta http-equiv="refresh" content="0; url={target}">'
        f'<a href="{target}">{target}</a>\n'
    )


PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html { font-size: 112.5%; }
body { margin: 0; background: white; color: black; }
.md-typeset { font-size: 0.72rem; line-height: 1.55; }
/* A TrueType CJK font: Chromium embeds it as a named CID font (CFF fonts become Type 3). */
:lang(zh) .md-typeset, :lang(zh) body { font-family: "WenQuanYi Micro Hei", sans-serif; }
:lang(zh) .md-typeset code, :lang(zh) .md-typeset pre {
  font-family: "WenQuanYi Micro Hei Mono", monospace;
}
/* Code keeps its lines: a line wider than the page gets smaller type (FIT_CODE), never a
   break inside a name that a reader would copy. */
.md-typeset pre > code, .md-typeset pre {
  white-space: pre !important; overflow: visible !important; max-height: none !important;
}
.md-typeset pre > code { font-size: 0.62rem; }
.md-typeset .highlight, .md-typeset table, .md-typeset img, .md-typeset math { break-inside: avoid; }
.md-typeset h1, .md-typeset h2, .md-typeset h3 { break-after: avoid; }
.md-typeset img { max-width: 100%; height: auto; }
.md-typeset table:not([class]) { display: table; font-size: 0.62rem; }
.book-title { height: 240mm; display: flex; flex-direction: column; justify-content: center; }
.book-title h1 { font-size: 2.2rem; margin: 0 0 1rem; color: black; }
.book-title p { font-size: 0.9rem; }
.book-contents { break-before: page; }
.book-contents ol { list-style: none; padding: 0; margin: 0; }
.book-contents li { margin: 0.35em 0; }
.book-contents li a { display: flex; gap: 0.5em; color: inherit; text-decoration: none; }
.book-contents li .leader { flex: 1; border-bottom: 1px dotted #888; margin-bottom: 0.3em; }
.book-chapter { break-before: page; }
.book-chapter .book-label { font-size: 0.7rem; color: #555; margin: 0; }
.md-typeset .tutorial-provenance { font-size: 0.6rem; }
.md-typeset .tutorial-paper { display: block; }
"""


def _absolute(fragment: str, page: Path) -> str:
    """Point every relative src in ``fragment`` at a file, so it resolves from anywhere."""

    def fix(match: re.Match) -> str:
        value = html.unescape(match.group(2))
        if re.match(r"^[a-z]+:|^#|^data:", value):
            return match.group(0)
        path = (page.parent / value.split("#")[0]).resolve()
        return f'{match.group(1)}="{path.as_uri()}"'

    return re.sub(r'(src)="([^"]+)"', fix, fragment)


def anchor(number: int, name: str = "") -> str:
    """The id, inside the book, of chapter ``number`` or of its element ``name``."""
    return f"chapter-{number}" + (f"-{name}" if name else "")


def book_links(fragment: str, page: Path, number: int, chapters: dict[Path, int], web) -> str:
    """Links that work in the PDF: each chapter's ids get its number (two chapters both have a
    "summary"), a link to a chapter jumps inside the book, a link to another page of the site
    goes to its public address (``web(path)``), and links to other hosts keep theirs."""
    fragment = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{anchor(number, m.group(1))}"', fragment)

    def fix(match: re.Match) -> str:
        target = html.unescape(match.group(1))
        if re.match(r"^[a-z]+:", target):
            return match.group(0)
        path, _, name = target.partition("#")
        if not path:
            return f'href="#{anchor(number, name)}"'
        resolved = (page.parent / path).resolve()
        if resolved in chapters:
            return f'href="#{anchor(chapters[resolved], name)}"'
        return f'href="{html.escape(web(resolved, name))}"'

    return re.sub(r'\bhref="([^"]+)"', fix, fragment)


def print_document(site: Path, language: str, default: str, pages: dict[int, int] | None) -> str:
    """One HTML document holding the whole book of a language."""
    words = TEXT[language]
    folder = site if language == default else site / language
    stylesheets = sorted((site / "assets" / "stylesheets").glob("main.*.min.css"))
    stylesheets += [site / "stylesheets" / "extra.css"]
    links = "\n".join(f'<link rel="stylesheet" href="{s.as_uri()}">' for s in stylesheets)
    chapters, contents = [], []
    order = reading_order()
    numbers = {
        (folder / chapter.source.replace(".md", ".html")).resolve(): chapter.number
        for chapter in order
    }
    site_url = str(project.settings()["site_url"] or "")

    def web(path: Path, name: str) -> str:
        """The public address of a page (or file) of the offline copy."""
        inside = path.relative_to(site.resolve()).as_posix()
        inside = re.sub(r"(^|/)index\.html$", r"\1", inside)
        inside = re.sub(r"\.html$", "/", inside)
        return site_url + inside + (f"#{name}" if name else "")

    for chapter in order:
        page = folder / chapter.source.replace(".md", ".html")
        if not page.is_file():
            raise BookError(f"{page} is missing from the offline build")
        article = ARTICLE.search(page.read_text(encoding="utf-8"))
        if not article:
            raise BookError(f"{page}: no <article> in the page")
        body = article.group(1)
        for pattern in DROP_IN_PRINT:
            body = pattern.sub("", body)
        body = CLOSED_DETAILS.sub("<details open", body)
        title = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.DOTALL)
        chapter.title = re.sub(r"<[^>]+>", "", title.group(1)).strip() if title else chapter.source
        label = words["chapter"].format(number=chapter.number)
        number = pages.get(chapter.number, "") if pages else "00"
        contents.append(
            f'<li><a href="#{anchor(chapter.number)}"><span>{chapter.number}. '
            f'{html.escape(chapter.title)}</span><span class="leader"></span>'
            f"<span>{number}</span></a></li>"
        )
        body = book_links(_absolute(body, page), page, chapter.number, numbers, web)
        chapters.append(
            f'<section class="book-chapter" id="{anchor(chapter.number)}">'
            f'<p class="book-label">{label}</p>{body}</section>'
        )
    provenance = words["provenance"].format(torch=version("torch"), date=build_date())
    return f"""<!doctype html>
<html lang="{language}" dir="ltr"><head><meta charset="utf-8"><title>{words["title"]}</title>
{links}
<style>{PRINT_CSS}</style></head>
<body><div class="md-typeset">
<section class="book-title"><h1>{words["title"]}</h1><p>{words["subtitle"]}</p>
<p>{provenance}</p></section>
<section class="book-contents"><h2>{words["contents"]}</h2><ol>{"".join(contents)}</ol></section>
{"".join(chapters)}
</div></body></html>
"""


FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 15mm;display:flex;'
    'justify-content:space-between;color:#555;font-family:{font}">'
    '<span>{title}</span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


# Type size for a code block whose longest line is wider than the page: smaller in steps of a
# quarter pixel, down to MIN_CODE_PX (or back to its size, for WRAP_CODE, if that is not enough);
# returns the first line and size of each block it shrank.
MIN_CODE_PX = 7.5
FIT_CODE = """(least) => [...document.querySelectorAll('pre > code')].flatMap(code => {
  const pre = code.parentElement;
  let size = parseFloat(getComputedStyle(code).fontSize), shrunk = false;
  while (pre.scrollWidth > pre.clientWidth + 1 && size - 0.25 >= least) {
    size -= 0.25; code.style.fontSize = size + 'px'; shrunk = true;
  }
  if (pre.scrollWidth > pre.clientWidth + 1) { code.style.fontSize = ''; return []; }  // WRAP_CODE
  return shrunk ? [[code.textContent.split('\\n')[0], size]] : [];
})"""
# A line still too wide at MIN_CODE_PX (a long error message in an output) is broken at spaces
# only, and each continuation starts with CONTINUATION; returns the first line of each block.
CONTINUATION = "\u21aa "
WRAP_CODE = """(mark) => [...document.querySelectorAll('pre > code')].flatMap(code => {
  const pre = code.parentElement;
  if (pre.scrollWidth <= pre.clientWidth + 1) return [];
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  code.appendChild(probe);
  const style = getComputedStyle(code);
  const room = code.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const columns = Math.floor(room / (probe.getBoundingClientRect().width / 100)) - 1;
  probe.remove();
  const wrap = line => {
    const parts = [];
    while (line.length > columns) {
      const space = line.lastIndexOf(' ', columns - (parts.length ? mark.length : 0));
      if (space <= 0) break;
      parts.push(line.slice(0, space));
      line = mark + line.slice(space + 1);
    }
    return [...parts, line].join('\\n');
  };
  code.textContent = code.textContent.split('\\n').map(wrap).join('\\n');
  return [code.textContent.split('\\n')[0]];
})"""
OVERFLOWING_CODE = """() => [...document.querySelectorAll('pre')]
  .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
  .map(pre => pre.textContent.split('\\n')[0])"""


def compact(pdf: Path) -> None:
    """Pack the PDF's objects into compressed object streams. Chromium writes each element of a
    tagged PDF's structure as a plain object: tagging tripled the book (1.8 to 5.3 MB)."""
    import pikepdf

    packed = pdf.with_suffix(".packed.pdf")
    with pikepdf.open(pdf) as document:
        document.save(packed, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    packed.replace(pdf)


def chapter_pages(pdf: Path, language: str, count: int) -> dict[int, int]:
    """On which page each chapter starts: the first page that shows its label."""
    from pypdf import PdfReader

    texts = [page_text(page.extract_text() or "") for page in PdfReader(pdf).pages]
    found = {}
    for number in range(1, count + 1):
        label = TEXT[language]["chapter"].format(number=number)
        for index, text in enumerate(texts):
            if re.search(rf"(^|\n)\s*{re.escape(label)}\s*(\n|$)", text):
                found[number] = index + 1
                break
        else:
            raise BookError(f"chapter {number} ({label}) not found in {pdf.name}")
    return found


def print_pdf(site: Path, language: str, default: str, target: Path) -> Path:
    """Print the book of one language; a second pass writes the page numbers into the contents."""
    executable = chromium_path()
    if executable is None:
        raise BookError("no Chromium found: install Debian's 'chromium' package, or set CHROMIUM")
    from playwright.sync_api import sync_playwright

    count = len(reading_order())
    document = site / f"book-{language}.html"
    font = "'WenQuanYi Micro Hei', sans-serif" if language == "zh" else "sans-serif"
    footer = FOOTER.format(title=html.escape(TEXT[language]["title"]), font=font)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            pages = None
            for _ in range(2):
                document.write_text(print_document(site, language, default, pages), "utf-8")
                page.goto(document.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.set_viewport_size({"width": 680, "height": 1000})  # A4 less the margins
                page.evaluate(FIT_CODE, MIN_CODE_PX)
                page.evaluate(WRAP_CODE, CONTINUATION)
                cut = page.evaluate(OVERFLOWING_CODE)
                if cut:
                    raise BookError(f"{target.name}: code wider than the page: {cut[:3]}")
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=footer,
                    margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                    outline=True,  # bookmarks from the headings
                    tagged=True,  # structure for screen readers and reflow
                )
                pages = chapter_pages(target, language, count)
        finally:
            browser.close()
            document.unlink(missing_ok=True)
    compact(target)
    return target


INPUTS = ("docs", "snippets", "overrides", "site_tools", "examples", "mkdocs.yml", "package.json")


def cache_key() -> str:
    """A hash of everything a book is made from: pages, figures, notebooks, tools, versions."""
    digest = hashlib.sha256(build_date().encode())
    digest.update(str(project.settings()["site_url"]).encode())  # SITE_URL changes every link
    for name in ("torch", "mkdocs", "mkdocs-material", "playwright"):
        digest.update(f"{name}={version(name)}".encode())
    for name in INPUTS:
        root = PROJECT_ROOT / name
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def build(out: Path = BOOKS, force: bool = False) -> dict[str, int]:
    """Build every language's zip and PDF into ``out`` unless they are up to date."""
    out.mkdir(parents=True, exist_ok=True)
    key = cache_key()
    manifest = out / MANIFEST
    if not force and manifest.is_file():
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if recorded.get("key") == key and all((out / n).is_file() for n in recorded["files"]):
            return recorded["files"]
    found, default = list(project.LANGUAGES), project.default_language()
    with tempfile.TemporaryDirectory(prefix="tutorial-offline-") as temporary:
        site = Path(temporary) / "site"
        build_offline(site)
        sizes = {}
        for language in found:
            archive = make_zip(site, language, default, found, out / f"{NAME}-{language}.zip")
            pdf = print_pdf(site, language, default, out / f"{NAME}-{language}.pdf")
            sizes[archive.name] = archive.stat().st_size
            sizes[pdf.name] = pdf.stat().st_size
    record = {"key": key, "files": sizes}
    manifest.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return sizes


def main(argv: list[str] | None = None) -> dict[str, int]:
    parser = argparse.ArgumentParser(prog="python -m site_tools.books", description=__doc__)
    parser.add_argument("--out", type=Path, default=BOOKS, help="folder for the books")
    parser.add_argument("--force", action="store_true", help="build even if up to date")
    args = parser.parse_args(argv)
    sizes = build(args.out, args.force)
    for name, size in sizes.items():
        print(f"{name}: {size / 1024 / 1024:.1f} MiB")
    return sizes


if __name__ == "__main__":
    main()
