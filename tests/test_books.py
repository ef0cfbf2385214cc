"""The offline copies and the PDFs: opened as a reader opens them, from the file system.

Without Chromium these tests skip with a message, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from site_tools import books
from site_tools.loopback import chromium_path, search

pytestmark = pytest.mark.browser
SEARCHES = {
    "en": ("convolution", "layers/convolution.html"),
    "zh": ("卷积", "layers/convolution.html"),
}


@pytest.fixture(scope="module")
def built(require) -> Path:
    """The books of this checkout (built by `nox -s tests` first; built here if missing)."""
    require(chromium_path() is not None, "no Chromium found: install Debian's 'chromium'")
    require(
        (books.PROJECT_ROOT / "node_modules/iframe-worker/shim/index.js").is_file(),
        "iframe-worker is missing: run 'npm ci' in the project",
    )
    books.build()
    return books.BOOKS


@pytest.mark.parametrize("language", ["en", "zh"])
def test_offline_copy_works_from_the_file_system(built, browser, tmp_path, language) -> None:
    with zipfile.ZipFile(built / f"{books.NAME}-{language}.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    root = tmp_path / f"{books.NAME}-{language}"
    other = "zh" if language == "en" else "en"
    assert f"{books.NAME}-{language}/index.html" in names
    assert not any(f"/{other}/" in name for name in names if name.endswith(".html"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    leaving, errors = [], []

    def route(request_route):
        if request_route.request.url.startswith("file://"):
            request_route.continue_()
        else:
            leaving.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    prefix = "" if language == "en" else "zh/"
    page.goto((root / "index.html").as_uri(), wait_until="load")
    assert page.locator("html").get_attribute("lang") == language
    page.goto((root / f"{prefix}layers/convolution.html").as_uri(), wait_until="load")
    images = page.locator("article img")
    assert images.count() >= 1
    assert page.evaluate(  # a hidden lazy image (the other scheme's photo) is not fetched
        "[...document.images].filter(i => i.offsetParent !== null)"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("math").count() >= 1
    assert page.locator(".md-select").count() == 0, "the language switch was not removed"
    query, target = SEARCHES[language]
    addresses = search(page, query)
    assert any(a.endswith(f"{prefix}{target}") for a in addresses[:3]), addresses[:5]
    assert not leaving, leaving
    assert not errors, errors
    context.close()


def _fonts(reader) -> dict[str, object]:
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            found[str(font.get("/BaseFont", f"Type3-{id(font)}"))] = font
    return found


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawn by procedures inside the file
    descendants = font.get("/DescendantFonts")
    target = descendants[0].get_object() if descendants else font
    descriptor = target.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor else {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_holds_every_chapter_in_order_with_embedded_fonts(built, language) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / f"{books.NAME}-{language}.pdf")
    text = "\n".join(books.page_text(page.extract_text() or "") for page in reader.pages)
    titles = [
        re.search(
            r"^# (.+)$",
            (books.PROJECT_ROOT / "docs" / language / c.source).read_text(encoding="utf-8"),
            re.MULTILINE,
        ).group(1)
        for c in books.reading_order()
    ]
    body = text.split(books.TEXT[language]["chapter"].format(number=1), 1)[1]
    position = 0
    for title in titles:
        found = body.find(title, position)
        assert found >= 0, f"{title!r} is missing or out of order in the {language} PDF"
        position = found
    contents = text.split(books.TEXT[language]["contents"], 1)[1][:2000]
    assert not re.search(r"\b00\b", contents), "the contents have no page numbers"
    fonts = _fonts(reader)
    assert all(_embedded(font) for font in fonts.values()), [
        name for name, font in fonts.items() if not _embedded(font)
    ]
    if language == "zh":
        assert any("WenQuanYi" in name for name in fonts), sorted(fonts)
    width = float(reader.pages[2].mediabox.width)
    beyond = []

    def visit(text_run, matrix, text_matrix, font, size):
        x = matrix[4] + text_matrix[4] * matrix[0]
        if text_run.strip() and x > width - 10:  # starts in the right margin or past it
            beyond.append(text_run)

    for page in reader.pages[2:]:
        page.extract_text(visitor_text=visit)
    assert not beyond, beyond[:5]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_prints_the_solutions_open(built, language) -> None:
    """Paper cannot open a collapsed block: every solution's code and output is printed."""
    from pypdf import PdfReader

    reader = PdfReader(built / f"{books.NAME}-{language}.pdf")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    for printed in (  # the last lines of two solutions' outputs (logistic regression, pipeline)
        "logits: 213 iterations, accuracy 0.995",
        "evaluation transform, same twice: True",
    ):
        assert printed in text, f"{printed!r} is not in the {language} PDF"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_home_page_links_the_books_with_their_sizes(built, built_site, language) -> None:
    home = built_site / ("index.html" if language == "en" else "zh/index.html")
    page = home.read_text(encoding="utf-8")
    for kind in ("zip", "pdf"):
        name = f"{books.NAME}-{language}.{kind}"
        match = re.search(rf'<a href="([^"]*{re.escape(name)})" download>', page)
        assert match, f"the {language} home page does not link {name}"
        assert (home.parent / match.group(1)).resolve().is_file()
        assert re.search(rf"{re.escape(name)}</a>\s*[(（]\d+\.\d MiB[)）]", page)


LOCAL_LINK = re.compile(r'(?:href|src)="(?![a-z]+:|#|//)([^"#?]+)')


@pytest.mark.parametrize("language", ["en", "zh"])
def test_offline_copy_has_its_own_404_page_and_names_the_public_site(built, language) -> None:
    """Each copy carries a 404 page in its language whose links work from its folder; its home
    page gives the public addresses of the site, the other language and the PDF; a chapter says
    which file of the copy is its notebook (a browser shows a notebook under file:// as text)."""
    from site_tools.project import SITE_URL

    root = f"{books.NAME}-{language}"
    with zipfile.ZipFile(built / f"{root}.zip") as archive:
        names = set(archive.namelist())
        not_found = archive.read(f"{root}/404.html").decode("utf-8")
        prefix = "" if language == "en" else "zh/"
        home = archive.read(f"{root}/{prefix}index.html").decode("utf-8")
        chapter = archive.read(f"{root}/{prefix}layers/pooling.html").decode("utf-8")
    assert f'<html lang="{language}"' in not_found
    dead = [link for link in LOCAL_LINK.findall(not_found) if f"{root}/{link}" not in names]
    assert not dead, dead
    other = "zh/" if language == "en" else ""
    for address in (SITE_URL + prefix, SITE_URL + other, f"{SITE_URL}downloads/{root}.pdf"):
        assert f'<a href="{address}">' in home, address
    opening = re.search(r'<p class="tutorial-screen">(.*?)</p>', chapter, re.DOTALL).group(1)
    assert f"<code>{prefix}notebooks/pooling.ipynb</code>" in opening
    assert f"{root}/{prefix}notebooks/pooling.ipynb" in names


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_chapters_open_with_the_chapter_address(built, language) -> None:
    """On paper a chapter opens with where its notebook and program are, not with the offline
    copy's file names or a button that paper cannot have."""
    from pypdf import PdfReader

    from site_tools.project import SITE_URL

    reader = PdfReader(built / f"{books.NAME}-{language}.pdf")
    text = "".join(page.extract_text() or "" for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    prefix = "" if language == "en" else "zh/"
    assert f"{SITE_URL}{prefix}layers/pooling/" in flat
    for screen_only in ("notebooks/pooling.ipynb", "how to run a chapter", "如何运行一章"):
        assert screen_only not in text, screen_only


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_navigates_as_a_book(built, language) -> None:
    """Bookmarks from the headings, a contents page whose entries jump to their chapters, links
    between chapters that jump inside the PDF, web links that keep their address, and tags."""
    from pypdf import PdfReader

    from site_tools.project import SITE_URL

    reader = PdfReader(built / f"{books.NAME}-{language}.pdf")
    chapters = [item for item in reader.outline if not isinstance(item, list)]
    assert len(chapters) >= len(books.reading_order()) + 1  # the title page, then each chapter
    destinations = reader.named_destinations
    internal, web = [], []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            action = link.get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                web.append(str(action.get_object()["/URI"]))
            elif link.get("/Dest") is not None:
                internal.append((number, str(link["/Dest"])))
    contents = [dest for number, dest in internal if number == 1]
    assert contents == [f"/chapter-{n}" for n in range(1, len(books.reading_order()) + 1)]
    unknown = [dest for _, dest in internal if dest not in destinations]
    assert not unknown, unknown[:5]
    between = [dest for number, dest in internal if number > 1]
    assert len(between) >= 20, f"only {len(between)} links jump inside the book"
    assert not [url for url in web if url.startswith("file:")], "a link points at the build folder"
    assert f"{SITE_URL}{'' if language == 'en' else 'zh/'}#source-article" in web  # home page
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], "the PDF is not tagged"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_prints_each_long_code_line_on_one_line(built, language) -> None:
    """No line of code is broken (inside a name, or anywhere): a long one gets smaller type."""
    from pypdf import PdfReader

    from site_tools.fences import DOCS, page_fences

    reader = PdfReader(built / f"{books.NAME}-{language}.pdf")
    text = re.sub(r"[ \t]+", "", "\n".join(page.extract_text() or "" for page in reader.pages))
    long_lines = {
        line.strip()
        for chapter in books.reading_order()
        for fence in page_fences(DOCS / language / chapter.source)
        if fence.language == "python"
        for line in fence.code.splitlines()
        if len(line.strip()) > 80
    }
    assert len(long_lines) >= 5
    broken = [line for line in long_lines if re.sub(r"[ \t]+", "", line) not in text]
    assert not broken, broken[:5]
