"""Every number in a chapter's sentences is one its run prints or uses, in both languages."""

from __future__ import annotations

import shutil

import pytest

from site_tools import prose_numbers
from site_tools.project import ROOT, Chapter, chapters


@pytest.mark.parametrize("chapter", chapters(), ids=lambda chapter: chapter.example)
def test_prose_numbers_come_from_the_run(chapter: Chapter) -> None:
    problems = prose_numbers.problems(chapter)
    assert not problems, "\n".join(problems)


@pytest.fixture
def scratch_pooling(tmp_path) -> Chapter:
    """The pooling chapter in a copy of the docs, for a test to edit."""
    for language in ("en", "zh"):
        page = ROOT / "docs" / language / "layers" / "pooling.md"
        copy = tmp_path / "docs" / language / "layers" / "pooling.md"
        copy.parent.mkdir(parents=True)
        shutil.copy(page, copy)
    return Chapter("pooling", "layers/pooling.md", root=tmp_path)


def test_a_number_edited_in_one_sentence_names_page_line_and_both_values(scratch_pooling) -> None:
    page = scratch_pooling.page("en")
    text = page.read_text(encoding="utf-8")
    line = text[: text.index("is 0.25 for")].count("\n") + 1
    page.write_text(text.replace("is 0.25 for", "is 0.3 for"), encoding="utf-8")
    problems = prose_numbers.problems(scratch_pooling)
    assert any(
        p.startswith(f"docs/en/layers/pooling.md:{line}: the prose says 0.3,") and "0.25" in p
        for p in problems
    ), problems


def test_a_number_changed_in_one_translation_is_caught_even_if_printed_elsewhere(
    scratch_pooling,
) -> None:
    page = scratch_pooling.page("en")
    page.write_text(page.read_text(encoding="utf-8").replace("is 0.25 for", "is 0.5 for"))
    problems = prose_numbers.problems(scratch_pooling)
    assert any("the prose says 0.5, but section" in p for p in problems), problems
    assert any("docs/zh/layers/pooling.md" in p and "never says 0.5" in p for p in problems)


def test_a_stated_number_must_be_stated_in_every_language(scratch_pooling) -> None:
    page = scratch_pooling.page("zh")
    page.write_text(page.read_text(encoding="utf-8").replace("---\n", "---\nstated: [1998]\n", 1))
    problems = prose_numbers.problems(scratch_pooling)
    assert any("`stated:` differs between the languages" in p for p in problems), problems
