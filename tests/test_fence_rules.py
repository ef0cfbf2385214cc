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


def test_pytest_codeblocks_still_drops_empty_lines_in_indented_fences() -> None:
    """Canary for the allowance in site_tools/fences.py (_same_text): when pytest-codeblocks
    keeps the empty lines of an indented fence, this fails; then drop the allowance."""
    import io

    from pytest_codeblocks.main import extract_from_buffer

    page = "??? success\n\n    ```python\n    a = 1\n\n    b = 2\n    ```\n"
    [block] = extract_from_buffer(io.StringIO(page))
    assert block.code == "a = 1\nb = 2\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!--pytest.mark.slow-->\n```python\nprint(1)\n```\n", "unknown mark"),
        ("<!--pytest-codeblocks:cont-->\n```python\nprint(1)\n```\n", "pytest.mark.cont"),
        ("<!--pytest.mark.cont-->\nSome words.\n\n```python\nprint(1)\n```\n", "right above"),
        ("<!--pytest.mark.measured(rel=0.1)-->\n```python\nprint(1)\n```\n", "no expected"),
        ("<!--pytest.mark.measured(rel=0)-->\n```python\nprint(1)\n```\n", "no difference"),
    ],
)
def test_a_bad_mark_names_the_page_and_line(tmp_path, text, message) -> None:
    page = tmp_path / "page.md"
    page.write_text(text)
    with pytest.raises(FenceError, match=rf"page\.md:\d+: .*{message}"):
        page_fences(page)


def test_a_measured_mark_reads_its_tolerance(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        '<!--pytest.mark.measured(rel=0.05, lines={"^a": dict(ge=90)})-->\n```python\n'
        'print("a 95.0")\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\na 99.0\n```\n'
    )
    [fence] = page_fences(page)
    assert fence.tolerance.default.rel == 0.05 and fence.tolerance.rule("a 99.0").ge == 90
    assert fence.expected_output == "a 99.0\n" and fence.output_line == 7


def _chapter_pages():
    return [p for p in pages() if get_data(p.read_text(encoding="utf-8"))[1].get("example")]


@pytest.mark.parametrize(
    "page", _chapter_pages(), ids=lambda page: page.relative_to(page.parents[2]).as_posix()
)
def test_a_page_chains_its_fences_explicitly(page) -> None:
    """A page runs as one program; every run fence after the first says so (pytest.mark.cont)."""
    run = [f for f in page_fences(page) if f.language in RUNNABLE and f.skip_reason is None]
    assert not run[0].continues, f"{run[0].id}: the first fence continues nothing"
    loose = [fence.id for fence in run[1:] if not fence.continues]
    assert not loose, f"add <!--pytest.mark.cont--> above {loose}"


def test_pytest_collects_one_item_per_fence_of_every_chapter() -> None:
    """`pytest docs/<lang>/<page>.md` lists each fence as `<page>::line N` (site_tools/codeblocks)."""
    import subprocess
    import sys

    from site_tools.project import ROOT

    chapters = _chapter_pages()
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
         *(str(page.relative_to(ROOT)) for page in chapters)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for page in chapters:
        wanted = {
            f"{page.relative_to(ROOT).as_posix()}::line {fence.line}"
            for fence in page_fences(page)
            if fence.language in RUNNABLE
        }
        missing = wanted - set(listed.splitlines())
        assert wanted and not missing, f"{page}: not collected: {sorted(missing)}"
