"""The registry of chapters (site_tools/project.py) and the rules every chapter follows."""

from __future__ import annotations

import re

import pytest

from site_tools import project

CHAPTERS = project.chapters()


def test_languages_come_from_mkdocs_yml() -> None:
    assert project.LANGUAGES == ("en", "zh")
    assert project.default_language() == "en"


def test_every_example_is_a_chapter_in_the_navigation() -> None:
    examples = {
        path.stem
        for path in project.EXAMPLES.glob("*.py")
        if path.stem not in (*project.HELPERS, "__init__")
    }
    assert examples == {chapter.example for chapter in CHAPTERS}


def test_every_page_that_names_an_example_is_registered() -> None:
    registered = {(chapter.example, chapter.source) for chapter in CHAPTERS}
    for language in project.LANGUAGES:
        for page in (project.DOCS / language).rglob("*.md"):
            match = project.FRONT_EXAMPLE.match(page.read_text(encoding="utf-8"))
            if match:
                source = page.relative_to(project.DOCS / language).as_posix()
                assert (match.group(1), source) in registered, f"{page} is not in the nav"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.example)
def test_chapter_has_its_parts(chapter: project.Chapter) -> None:
    assert chapter.module.is_file()
    assert chapter.test_module.is_file(), f"{chapter.example} needs {chapter.test_module.name}"
    stem = chapter.source.rsplit("/", 1)[-1].removesuffix(".md")
    assert stem == project.page_stem(chapter.example), (
        f"{chapter.source}: a chapter's page is named after its example "
        f"({project.page_stem(chapter.example)}.md)"
    )
    for language in project.LANGUAGES:
        page = chapter.page(language)
        assert page.is_file(), f"{page} is missing (translation)"
        assert re.search(rf"^example: {chapter.example}$", page.read_text(encoding="utf-8"), re.M)


def test_a_missing_translation_is_named(tmp_path) -> None:
    chapter = project.Chapter("demo", "models/demo.md", tmp_path)
    assert not chapter.page("zh").is_file()
    assert chapter.page("zh") == tmp_path / "docs/zh/models/demo.md"
