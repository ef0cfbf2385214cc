"""Every fence is either run by tests/test_fences.py or skipped with a reason the page states."""

from __future__ import annotations

import pytest

from site_tools.fences import RUNNABLE, FenceError, page_fences, pages


@pytest.mark.parametrize(
    "page", pages(), ids=lambda page: page.relative_to(page.parents[2]).as_posix()
)
def test_every_fence_runs_or_says_why_not(page) -> None:
    for fence in page_fences(page):
        if fence.skip_reason is not None:
            assert fence.skip_reason, (
                f"{fence.id}: skipped without a reason; write skip(reason=...)"
            )
            continue
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
