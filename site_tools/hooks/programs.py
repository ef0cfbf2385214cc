"""Hook: the program pages (site_tools/programs.py), as pages of this site.

mkdocs-jupyter renders each notebook with nbconvert's JupyterLab styles inlined: about 600 KB of
CSS per page, a light theme fixed in both colour schemes, and a copy button whose markup is not
valid HTML (``<clipboard-copy ,="">``). We keep its HTML and drop those: the site's stylesheet
styles cells and outputs in both schemes (``.jupyter-wrapper`` in extra.css). A program page
ranks below the chapters in search, and its edit button shows the example it is made from.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from html import escape
from pathlib import Path, PurePosixPath

from examples.common import COLUMN_PX
from site_tools import programs, project
from site_tools.hooks.common import page_language

MARKER = "<!-- tutorial:programs -->"
# Below the chapters for the same words: a program page repeats its chapter's code.
SEARCH_BOOST = 0.5
HEADINGS = {
    "en": ("Chapter", "Its program, run"),
    "zh": ("章", "完整程序及其输出"),
}
STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S)
COPY_BUTTON = re.compile(r"<clipboard-copy\b.*?</clipboard-copy>\s*", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# The copy button's holders; the second keeps the cell's code as text, which its styles hid.
CLIPBOARD = re.compile(
    r'<div class="(?:zeroclipboard-container|clipboard-copy-txt)"[^>]*>.*?</div>\s*', re.S
)
# nbconvert's highlighted code, made the theme's: Material styles `.highlight pre > code` in
# both schemes and gives it a copy button.
CODE = re.compile(
    r'<div class="highlight-ipynb hl-python"><pre><span></span>(.*?)</pre></div>', re.S
)
OUTPUT = re.compile(
    r'(<div class="jp-RenderedText jp-OutputArea-output"[^>]*>\s*)<pre>(.*?)</pre>', re.S
)
NAMELESS_HEADING = re.compile(r'<h([1-6]) id="">([^<]*<a class="headerlink" )href="#">')
INLINE_FIGURE = re.compile(
    r'<img alt="No description has been provided for this image"(?: class="[^"]*")?'
    r' src="data:image/(?P<kind>svg|png)(?:\+xml)?;base64,(?P<data>[A-Za-z0-9+/=]+)"\s*/?>'
)
SVG_SIZE = re.compile(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def _is_program(page) -> bool:
    path = PurePosixPath(page.file.src_uri)
    return path.suffix == ".ipynb" and path.parent.name == programs.PAGES


def _index(language: str) -> str:
    """Every chapter's program, in reading order, as a table."""
    chapter_head, program_head = HEADINGS.get(language, HEADINGS["en"])
    rows = [f"| {chapter_head} | {program_head} |", "|---|---|"]
    for chapter in project.chapters():
        title = chapter.title(language)
        rows.append(
            f"| [{title}](../{chapter.source}) | [`{chapter.example}.py`]({chapter.example}.ipynb) |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if _is_program(page):
        page.meta["search"] = {"boost": SEARCH_BOOST}
        example = PurePosixPath(page.file.src_uri).stem
        page.edit_url = f"{project.REPOSITORY}/edit/main/examples/{example}.py"
        return markdown
    if MARKER in markdown:
        return markdown.replace(MARKER, _index(page_language(page)))
    return markdown


def _figure_size(data: bytes, kind: str) -> tuple[int, int]:
    """Width and height where the page shows the figure: the column's width, in proportion."""
    if kind == "png":
        width, height = struct.unpack(">II", data[16:24])
    else:
        found = SVG_SIZE.search(data[:2000].decode("utf-8"))
        width, height = float(found.group(1)), float(found.group(2))
    return COLUMN_PX, round(COLUMN_PX * height / width)


def _figures_as_files(html: str, figures: list[dict], folder: Path) -> str:
    """Each inlined figure, in order, written beside the page and shown from there,
    with its size and the text its chapter gives it."""
    found = list(INLINE_FIGURE.finditer(html))
    if len(found) != len(figures):
        raise ValueError(f"{len(found)} figures on the page, {len(figures)} named in its notebook")
    pieces, last = [], 0
    for match, figure in zip(found, figures, strict=True):
        data = base64.b64decode(match.group("data"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / figure["file"]).write_bytes(data)
        width, height = _figure_size(data, match.group("kind"))
        pieces += [html[last : match.start()], f'<img alt="{escape(figure["alt"])}" '
                   f'src="{figure["file"]}" width="{width}" height="{height}">']  # fmt: skip
        last = match.end()
    return "".join(pieces) + html[last:]


def on_page_content(html, page, config, files):
    """Keep mkdocs-jupyter's cells in the site's own styles; drop what nbconvert brings along."""
    if not _is_program(page):
        return html
    for pattern in (STYLE, SCRIPT, COPY_BUTTON, COMMENT, CLIPBOARD):
        html = pattern.sub("", html)
    html = CODE.sub(r'<div class="highlight"><pre><span></span><code>\1</code></pre></div>', html)
    html = OUTPUT.sub(r'\1<div class="highlight"><pre><code>\2</code></pre></div>', html)
    html = html.replace('class="anchor-link"', 'class="headerlink"')
    # nbconvert's slugs keep ASCII only: a Chinese heading gets id="", which HTML forbids.
    html = NAMELESS_HEADING.sub(r'<h\1 id="program-\1">\2href="#program-\1">', html)
    example = PurePosixPath(page.file.src_uri).stem
    for name, source in programs.link_targets(example, page_language(page)).items():
        target = files.get_file_from_path(source)
        if target is None:
            raise ValueError(f"{page.file.src_uri}: no file {source} for its {name} link")
        html = html.replace(f'"{programs.LINK}{name}"', f'"{target.url_relative_to(page.file)}"')
    notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    figures = notebook["metadata"].get("tutorial", {}).get("figures", [])
    folder = Path(config.site_dir, page.file.dest_uri).parent
    return _figures_as_files(html, figures, folder)
