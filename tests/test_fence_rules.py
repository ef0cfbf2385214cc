"""Every fence is either run (tests/test_notebooks.py) or skipped with a reason the page states.

A Python fence that is not run is an excerpt, and says so in its title (which the reader sees),
naming the file it comes from.
"""

from __future__ import annotations

import pytest
from mkdocs.utils.meta import get_data

from site_tools.fences import RUNNABLE, TITLE, FenceError, page_fences, pages


@pytest.mark.parametrize(
    "page", pages(), ids=lambda page: page.relative_to(page.parents[2]).as_posix()
)
def test_every_fence_runs_or_says_why_not(page) -> None:
    chapter = get_data(page.read_text(encoding="utf-8"))[1].get("example")
    for fence in page_fences(page):
        if fence.skip_reason is not None:
            assert fence.skip_reason, (
                f"{fence.id}: skipped without a reason; write skip(reason=...)"
            )
            title = TITLE.search(fence.info)
            assert fence.language not in RUNNABLE or (title and "examples/" in title.group(1)), (
                f"{fence.id}: a Python excerpt that is not run needs a visible label: "
                '```python title="examples/<file>.py, inside <function>()"'
            )
            continue
        assert chapter, (
            f"{fence.id}: code runs only on chapters (front matter 'example: ...'), "
            "whose notebook runs it"
        )
        assert fence.language in RUNNABLE, (
            f"{fence.id}: a ```{fence.language or '(no language)'} fence is neither run nor "
            "checked; make it a python fence, an expected-output fence, or skip it with a reason"
        )
        assert not fence.continues or fence is not page_fences(page)[0], (
            f"{fence.id}: marked to continue, but no fence comes before it"
        )


def test_a_fence_with_a_title_is_still_run(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text('```python title="demo.py"\nprint(1)\n```\n')
    [fence] = page_fences(page)
    assert fence.language == "python" and fence.skip_reason is None


def test_a_skip_without_reason_is_caught(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!--pytest.mark.skip-->\n```python\nprint(1)\n```\n")
    [fence] = page_fences(page)
    assert fence.skip_reason == ""


def test_a_missing_section_names_the_page_and_line(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        'text\n\n```python\n--8<-- "examples/linear_regression.py:no_such_section"\n```\n'
    )
    with pytest.raises(FenceError, match=r"page\.md:4"):
        page_fences(page)


def test_an_unclosed_fence_names_the_page_and_line(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("one\n\n```python\nprint(1)\n")
    with pytest.raises(FenceError, match=r"page\.md:3: this fence is never closed"):
        page_fences(page)
