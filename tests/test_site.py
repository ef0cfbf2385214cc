"""The built site: both languages, notebooks to download, nothing loaded from other hosts."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_tools import project

LOADING_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}
LOADING_LINKS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "icon",
    "manifest",
    "preconnect",
    "dns-prefetch",
    "prefetch",
}


class Loads(HTMLParser):
    """Collect every address an HTML page makes the browser fetch, and its <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in LOADING_ATTRIBUTES and attributes.get(LOADING_ATTRIBUTES[tag]):
            self.addresses.append(attributes[LOADING_ATTRIBUTES[tag]])
        if tag == "link" and set((attributes.get("rel") or "").split()) & LOADING_LINKS:
            self.addresses.append(attributes.get("href", ""))
        if attributes.get("style") and "url(" in attributes["style"]:
            self.addresses.extend(re.findall(r"url\(([^)]+)\)", attributes["style"]))


def parse(path: Path) -> Loads:
    loads = Loads()
    loads.feed(path.read_text(encoding="utf-8"))
    return loads


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_both_languages_are_built(built_site: Path) -> None:
    for page in ("index.html", "recipe/index.html", "models/linear-regression/index.html"):
        assert parse(built_site / page).lang == "en", page
        assert parse(built_site / "zh" / page).lang == "zh", page


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    foreign = [
        f"{page.relative_to(built_site)}: {address}"
        for page in html_pages(built_site)
        for address in parse(page).addresses
        if re.match(r"^(https?:)?//", address.strip("'\""))
    ]
    assert not foreign, "\n".join(foreign)


def test_no_stylesheet_imports_from_another_host(built_site: Path) -> None:
    foreign = [
        f"{sheet.relative_to(built_site)}: {match}"
        for sheet in built_site.rglob("*.css")
        for match in re.findall(
            r"(?:@import\s+|url\()\s*['\"]?((?:https?:)?//[^'\")\s]+)",
            sheet.read_text(encoding="utf-8"),
        )
        if not match.startswith("//www.w3.org")
    ]
    assert not foreign, "\n".join(foreign)


@pytest.mark.parametrize("language", ["", "zh/"])
@pytest.mark.parametrize(
    ("page", "example"), [("recipe", "recipe"), ("models/pipeline", "pipeline")]
)
def test_chapters_offer_their_executed_notebook(
    built_site: Path, language: str, page: str, example: str
) -> None:
    html = (built_site / f"{language}{page}/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a [^>]*href="([^"]+\.ipynb)"[^>]*>', html)
    assert len(links) == 1, f"{page}: one download button expected, found {links}"
    assert html.index(links[0]) < html.index("<h2"), "the download button is not near the top"
    target = (built_site / f"{language}{page}/index.html").parent / links[0]
    notebook = json.loads(target.resolve().read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    outputs = [
        o for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]
    ]
    assert outputs, "the published notebook was not executed"
    assert not list(built_site.rglob("notebooks/*/index.html")), "notebooks are files, not pages"


@pytest.mark.parametrize("language", project.LANGUAGES)
def test_every_chapter_offers_both_ways_to_run_it(built_site: Path, language: str) -> None:
    """Under each chapter's title, before any section: the notebook, the whole program as one
    file (published), and the command for a clone."""
    folder = "" if language == project.default_language() else f"{language}/"
    for chapter in project.chapters():
        page = chapter.source.removesuffix(".md")
        html = (built_site / f"{folder}{page}/index.html").read_text(encoding="utf-8")
        command = f"python3 -m examples.{chapter.example} --device auto"
        assert ".ipynb" in html[: html.index("<h2")], f"{folder}{page}: no notebook button"
        assert command in html[: html.index("<h2")], f"{folder}{page}: no `{command}`"
        program = re.search(rf'href="([^"]*{chapter.example}\.py)"', html[: html.index("<h2")])
        assert program, f"{folder}{page}: no link to the whole program"
        target = (built_site / f"{folder}{page}/index.html").parent / program.group(1)
        assert target.resolve().is_file(), f"{folder}{page}: {program.group(1)} is not in the site"


def test_formulas_are_mathml(built_site: Path) -> None:
    for language in ("", "zh/"):
        page = (built_site / f"{language}models/linear-regression/index.html").read_text()
        assert page.count("<math ") >= 5
        assert "$$" not in page, "a display formula was left as TeX"


def test_chinese_headings_keep_readable_anchors(built_site: Path) -> None:
    page = (built_site / "zh/models/linear-regression/index.html").read_text(encoding="utf-8")
    assert 'id="何时停止"' in page


def test_search_index_splits_chinese_words(built_site: Path) -> None:
    # Each language has its own index, in its folder (site_tools/hooks/workarounds.py, 4).
    index = json.loads((built_site / "zh/search/search_index.json").read_text(encoding="utf-8"))
    assert "\\u200b" in index["config"]["separator"]
    page = next(doc for doc in index["docs"] if doc["location"] == "models/linear-regression/")
    assert "梯度\u200b下降" in page["text"], "jieba did not segment the Chinese text"


def test_the_math_font_is_served_small_with_its_math_table_and_licence(built_site: Path) -> None:
    from fontTools.ttLib import TTFont

    from site_tools.hooks.math_font import FONT, LICENCE

    font = built_site / FONT
    assert "MATH" in TTFont(font), "the subset lost the MATH table"
    assert font.stat().st_size < 40 * 1024, font.stat().st_size
    assert "SIL Open Font License" in (built_site / LICENCE).read_text(encoding="utf-8")
    with_math = (built_site / "models/linear-regression/index.html").read_text(encoding="utf-8")
    without = (built_site / "blocks/module-internals/index.html").read_text(encoding="utf-8")
    assert 'rel="preload"' in with_math and 'rel="preload"' not in without


LOOPBACK = re.compile(rb"127\.0\.0\.1|localhost")


def test_no_built_file_names_loopback(built_site: Path) -> None:
    """A default build links to the public site (site_url): pages, sitemaps, notebooks, programs.
    The theme's source maps, one of which quotes both hosts, are not shipped (hooks/assets.py)."""
    assert not list(built_site.rglob("*.map"))
    named = [
        str(path.relative_to(built_site))
        for path in built_site.rglob("*")
        if path.is_file() and path.suffix != ".pdf" and LOOPBACK.search(path.read_bytes())
    ]
    assert not named, named


def test_a_title_named_inside_a_longer_one_is_boosted(built_site: Path) -> None:
    """site_tools/hooks/search.py: "Convolution" is inside "Transposed convolution"; no Chinese
    title is inside another (卷积层 and 转置卷积 share only 卷积)."""
    boosted = {}
    for folder in ("", "zh/"):
        index = json.loads((built_site / folder / "search/search_index.json").read_text("utf-8"))
        boosted[folder] = {doc["location"]: doc["boost"] for doc in index["docs"] if "boost" in doc}
        # The program pages and their index rank below the chapters (hooks/programs.py).
        lowered = {place for place, boost in boosted[folder].items() if boost == 0.5}
        assert {place for place in lowered if "#" not in place} == {"programs/"} | {
            f"programs/{chapter.example}/" for chapter in project.chapters()
        }
        boosted[folder] = {place: boost for place, boost in boosted[folder].items() if boost > 1}
    assert boosted == {"": {"layers/convolution/": 1.25}, "zh/": {}}


def test_a_page_that_sets_its_own_search_boost_keeps_it() -> None:
    from site_tools.hooks.search import boost_named_inside

    index = {
        "config": {"separator": r"[\s\-]+"},
        "docs": [
            {"location": "a/", "title": "Attention", "text": "", "boost": 3},
            {"location": "b/", "title": "Multi-head attention", "text": ""},
            {"location": "b/#attention", "title": "Attention", "text": ""},
            {"location": "c/", "title": "Normalization", "text": ""},
            {"location": "d/", "title": "Batch <code>normalization</code>", "text": ""},
        ],
    }
    assert boost_named_inside(index) == ["c/"]
    assert [doc.get("boost") for doc in index["docs"]] == [3, None, None, 1.25, None]


def test_language_switch_links_to_the_same_page(built_site: Path) -> None:
    for source, target in (
        ("models/linear-regression/index.html", "../../zh/models/linear-regression/"),
        ("zh/models/linear-regression/index.html", "../../../models/linear-regression/"),
    ):
        page = (built_site / source).read_text(encoding="utf-8")
        assert f'href="{target}"' in page, f"{source} has no switch to {target}"


def test_figures_have_their_size_set(built_site: Path) -> None:
    for page in html_pages(built_site):
        for tag in re.findall(r"<img [^>]*>", page.read_text(encoding="utf-8")):
            if "figures/" in tag:
                assert 'width="' in tag and 'height="' in tag, f"{page}: {tag}"


def test_chapters_say_what_produced_their_outputs(built_site: Path) -> None:
    from importlib.metadata import version

    english = (built_site / "models/linear-regression/index.html").read_text(encoding="utf-8")
    chinese = (built_site / "zh/models/linear-regression/index.html").read_text(encoding="utf-8")
    assert f"produced with torch {version('torch')} on " in english
    assert f"由 torch {version('torch')} 在 " in chinese


def test_two_builds_are_byte_identical(built_site: Path, tmp_path: Path) -> None:
    from site_tools.project import mkdocs_build

    again = tmp_path / "again"
    mkdocs_build(again, strict=False, env={"SOURCE_DATE_EPOCH": "1767225600"})
    first = {
        p.relative_to(built_site): p.read_bytes() for p in built_site.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("page", ["models/linear-regression/", "zh/models/linear-regression/"])
def test_first_load_of_a_chapter_fits_the_budget(built_site: Path, page: str) -> None:
    from site_tools.weight import PAGE_BUDGET, first_load

    sizes = first_load(built_site, page)
    total = sum(sizes.values())
    assert total <= PAGE_BUDGET, f"{total / 1024:.1f} KiB gzip: {sizes}"


def test_search_index_fits_the_budget(built_site: Path) -> None:
    from site_tools.weight import SEARCH_INDEX_BUDGET

    for index in [
        built_site / "search",
        *(built_site / lang / "search" for lang in project.LANGUAGES),
    ]:
        if (index / "search_index.json").is_file():  # the default language's is the root's
            assert (index / "search_index.json").stat().st_size <= SEARCH_INDEX_BUDGET, index


def test_each_language_shows_its_own_figures(built_site: Path) -> None:
    for language, folder in (("en", built_site), ("zh", built_site / "zh")):
        for page in folder.rglob("index.html"):
            if language == "en" and page.is_relative_to(built_site / "zh"):
                continue
            for source in re.findall(r'<img [^>]*src="([^"]*figures/[^"]+)"', page.read_text()):
                assert f".{language}." in source, f"{page}: {source}"
                drawn = page.parent / source.split("#")[0]  # #only-light, #only-dark
                assert drawn.resolve().is_file(), f"{page}: {source} missing"


def test_chinese_paragraphs_have_no_line_break_spaces(built_site: Path) -> None:
    """A source line break between two Chinese characters would render as a visible space."""
    import html as entities

    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    found = []
    for page in (built_site / "zh").rglob("index.html"):
        article = page.read_text(encoding="utf-8").split("<article", 1)[-1].split("</article>")[0]
        for block in re.findall(r"<(?:p|li|td)\b[^>]*>(.*?)</(?:p|li|td)>", article, re.S):
            text = entities.unescape(re.sub(r"<[^>]+>", "", block))
            found += [
                f"{page.parent.name}: {m!r}" for m in re.findall(f"{cjk}[ \t]*\n\\s*{cjk}", text)
            ]
    assert not found, found[:10]


def test_chinese_lines_join_after_a_link_but_english_ones_keep_their_space() -> None:
    from site_tools.cjk import join_lines

    assert (
        join_lines("对[线性层](../a.md)\n形状为 (N, C) 的输出")
        == "对[线性层](../a.md)形状为 (N, C) 的输出"
    )
    assert join_lines("损失函数、\n更新规则") == "损失函数、更新规则"
    assert join_lines("see [LeNet](a.md)\nnext") == "see [LeNet](a.md)\nnext"
    assert join_lines("```\n中文\n注释\n```") == "```\n中文\n注释\n```"


def test_material_script_waits_for_the_first_paint(built_site: Path) -> None:
    """Every page defers Material's bundle (site_tools/hooks/startup.py) and loads no other
    script that would block the parser after the content."""
    for page in html_pages(built_site):
        html = page.read_text(encoding="utf-8")
        body = html.split("<body", 1)[1]
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", body)
        assert len(tags) == 1 and " defer " in tags[0], f"{page}: {tags}"
        assert "assets/javascripts/bundle." in tags[0], f"{page}: {tags}"


def test_a_page_without_material_script_fails_the_build_by_name() -> None:
    from mkdocs.exceptions import PluginError

    from site_tools.hooks.startup import defer_bundle

    page = '<body><p>x</p><script src="../assets/javascripts/bundle.0a1b.min.js"></script></body>'
    assert '<script defer src="../assets/javascripts/bundle.0a1b.min.js">' in defer_bundle(
        page, "layers/pooling.md"
    )
    with pytest.raises(PluginError, match=r"layers/pooling\.md: expected one .* found 0"):
        defer_bundle("<body><p>x</p></body>", "layers/pooling.md")


def test_tables_are_built_in_their_final_markup(built_site: Path) -> None:
    """Material's script would wrap them after the first paint, moving what follows."""
    for page in html_pages(built_site):
        html = page.read_text(encoding="utf-8")
        assert html.count("<table>") == html.count(
            '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>'
        ), page


def test_measured_outputs_say_so_in_the_page_language(built_site: Path) -> None:
    """Each output under pytest.mark.measured gets a title bar; exact outputs get none."""
    from importlib.metadata import version

    from site_tools.fences import page_fences
    from site_tools.hooks.content import MEASURED
    from site_tools.project import DOCS

    for language, folder in (("en", ""), ("zh", "zh/")):
        source = DOCS / language / "models" / "pipeline.md"
        measured = sum(1 for fence in page_fences(source) if fence.tolerance)
        html = (built_site / f"{folder}models/pipeline/index.html").read_text(encoding="utf-8")
        title = MEASURED[language].format(torch=version("torch"))
        assert measured >= 1 and html.count(title) == measured, (language, measured)


def test_no_page_carries_the_tests_marks(built_site: Path) -> None:
    """The fence marks are for the tests; in the HTML they made <p><div>…</div></p>."""
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "pytest-codeblocks" not in html and "pytest.mark" not in html, page
        assert not re.search(r"<p>\s*<div class=\"highlight\"", html), page


def test_every_page_is_valid_html(built_site: Path, require, tmp_path: Path) -> None:
    """The Nu HTML Checker over the site and each language's offline copy: 0 errors of ours;
    the theme's are listed with the upstream discussion that keeps them (site_tools/html_check)."""
    import zipfile

    from site_tools import books, html_check

    require(html_check.available(), "the HTML checker needs Java and vnu-jar (npm ci)")
    folders = [built_site]
    for language in project.LANGUAGES:
        copy = books.BOOKS / f"{books.NAME}-{language}.zip"
        require(copy.is_file(), f"no offline copy {copy.name}: run nox -s books")
        with zipfile.ZipFile(copy) as archive:
            archive.extractall(tmp_path / language)
        folders.append(tmp_path / language)
    problems = html_check.check(*folders)
    ours = [str(problem) for problem in problems if html_check.theirs(problem) is None]
    assert not ours, f"{len(ours)} HTML errors of our own:\n" + "\n".join(ours[:40])
    assert any(html_check.theirs(problem) for problem in problems), (
        "the theme's known errors are gone: drop them from site_tools/html_check.THEIRS"
    )
