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
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
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
