"""Every chapter ends as a lesson: a summary, then 2 to 4 exercises with runnable solutions."""

from __future__ import annotations

import re

import pytest

from site_tools.fences import RUNNABLE, Fence, read_page
from site_tools.project import LANGUAGES, LESSON_WORDS, Chapter, chapters

H2 = re.compile(r"^## (.+)$", re.M)
SOLUTION = re.compile(r'^\?\?\? success "(?P<title>[^"]+)"$', re.M)


def sections(chapter: Chapter, language: str) -> list[str]:
    text = chapter.page(language).read_text(encoding="utf-8")
    return H2.findall(re.sub(r"^```.*?^```", "", text, flags=re.M | re.S))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", chapters(), ids=lambda chapter: chapter.example)
def test_chapter_ends_with_a_summary_and_exercises(chapter: Chapter, language: str) -> None:
    words = LESSON_WORDS[language]
    page = f"docs/{language}/{chapter.source}"
    assert sections(chapter, language)[-2:] == [words["summary"], words["exercises"]], (
        f"{page}: the last two sections must be '## {words['summary']}' and "
        f"'## {words['exercises']}'"
    )
    text = chapter.page(language).read_text(encoding="utf-8")
    exercises = text[text.index(f"## {words['exercises']}") :]
    solutions = SOLUTION.findall(exercises)
    assert 2 <= len(solutions) <= 4, f"{page}: {len(solutions)} solutions; a chapter has 2 to 4"
    assert set(solutions) == {words["solution"]}, (
        f"{page}: a solution is titled '??? success \"{words['solution']}\"', not {solutions}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", chapters(), ids=lambda chapter: chapter.example)
def test_every_solution_runs_code_and_shows_its_output(chapter: Chapter, language: str) -> None:
    """Each collapsed solution holds a fence that runs (in the notebook test) and its output."""
    blocks = read_page(chapter.page(language))
    text = chapter.page(language).read_text(encoding="utf-8")
    starts = [text[: m.start()].count("\n") + 1 for m in SOLUTION.finditer(text)]
    ends = starts[1:] + [text.count("\n") + 2]
    for start, end in zip(starts, ends, strict=True):
        inside = [b for b in blocks if start < b.line < end]
        fences = [b for b in inside if isinstance(b, Fence) and b.indent]
        runnable = [f for f in fences if f.language in RUNNABLE and f.skip_reason is None]
        where = f"docs/{language}/{chapter.source}:{start}"
        assert runnable, f"{where}: this solution has no Python block that runs"
        assert all(f.expected_output for f in runnable), (
            f"{where}: every Python block of a solution shows what it prints"
        )
