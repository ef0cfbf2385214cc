"""pytest plugin: each code fence of each page is a test item, found by pytest-codeblocks.

What pytest-codeblocks does: its parser (``pytest_codeblocks.main.extract_from_buffer``) finds
a Markdown file's code fences, the ``<!--pytest.mark.NAME(...)-->`` marks above each fence and
the ``<!--pytest-codeblocks:expected-output-->`` fence after it. Its own plugin (``--codeblocks``,
switched off here with ``-p no:codeblocks``) runs every fence alone with ``exec``, compares what
it prints character for character, and merges a ``cont`` fence into the one before it, so a
chain can carry only one expected output.

What this plugin adds:

* snippets: the includes (``--8<--``) are expanded as the site expands them
  (``site_tools.fences``), so the code tested is the code shown;
* chaining: ``pytest.mark.cont`` is a mark per fence, not a merge. A page runs top to bottom as
  one program, exactly as its notebook does, and each fence keeps its own item and output;
* one run per page: the items read the outputs of the page's one notebook run
  (``site_tools.notebooks``, cached by its code, so the other language's identical code is not
  run again);
* tolerance: an output under ``pytest.mark.measured(...)`` is compared within it
  (``site_tools.outputs``); every other output must be equal;
* reports: a failure names the page line and shows both texts; after a fence that raised, the
  rest of its page is skipped, with the reason.

    pytest docs/en/layers/pooling.md      # items such as docs/en/layers/pooling.md::line 42
"""

from __future__ import annotations

import os
import uuid
from functools import cache
from pathlib import Path

import pytest

from site_tools import notebooks
from site_tools.fences import RUNNABLE, FenceError, page_fences
from site_tools.outputs import compare, normalise
from site_tools.project import DOCS, LANGUAGES, ROOT, SITE_URL

COLLECTED = RUNNABLE | {"bash", "sh"}  # the languages pytest-codeblocks' own plugin collects
MARKS = {
    "cont": "cont: this fence continues the fences above it on its page (shares their names)",
    "measured(rel, abs, lines)": "measured: its output depends on the machine, within this "
    "tolerance (site_tools/outputs.py)",
}


class FenceFailure(Exception):
    """A fence that raised, or printed something else than its page shows."""


def pytest_configure(config) -> None:
    for line in MARKS.values():
        config.addinivalue_line("markers", line)
    # One id per test run, shared with xdist's workers (they inherit the environment): a page
    # whose code raised is run once in this run, not once per language or per worker.
    os.environ.setdefault(notebooks.RUN_ID, uuid.uuid4().hex)


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and file_path.is_relative_to(DOCS):
        return Page.from_parent(parent, path=file_path)
    return None


class Page(pytest.File):
    """A page of docs/: one item per code fence, in the page's order."""

    def collect(self):
        try:
            fences = page_fences(self.path)
        except FenceError as error:
            raise self.CollectError(str(error)) from None
        for fence in fences:
            if fence.language not in COLLECTED:
                continue
            item = FenceItem.from_parent(self, name=f"line {fence.line}", fence=fence)
            for text in fence.marks:
                name = text.split("(", 1)[0].removeprefix("pytest.mark.")
                if name == "skip":
                    item.add_marker(pytest.mark.skip(reason=fence.skip_reason))
                elif name == "measured":
                    item.add_marker(pytest.mark.measured)
                elif name == "cont":
                    item.add_marker(pytest.mark.cont)
            yield item


@cache
def _chapter(page: Path) -> notebooks.Chapter | None:
    language = page.relative_to(DOCS).parts[0]
    if language not in LANGUAGES:
        return None
    return next((c for c in notebooks.chapters(language) if c.page == page), None)


@cache
def page_run(page: Path):
    """The page's notebook, its run (from the cache or made now) and where each cell is from."""
    chapter = _chapter(page)
    if chapter is None:
        raise FenceFailure(f"{page.relative_to(ROOT)}: code runs only on a chapter's page")
    notebook, origins = notebooks.make(chapter, SITE_URL, LANGUAGES[0])
    record = notebooks.outcome(notebook, chapter.label, origins)
    return notebook, origins, record


class FenceItem(pytest.Item):
    def __init__(self, *, fence, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fence = fence

    def runtest(self) -> None:
        fence = self.fence
        if fence.language not in RUNNABLE:
            raise FenceFailure(f"{fence.id}: a ```{fence.language} fence is not run; skip it")
        notebook, origins, record = page_run(self.path)
        cells = [s.cell for s in origins if s.fence and s.fence.line == fence.line]
        if not cells:
            raise FenceFailure(f"{fence.id}: this fence has no cell in the page's notebook")
        cell = cells[0]
        # The cell of inlined helpers just before a fence's cell belongs to that fence.
        mine = {cell} | {s.cell for s in origins if s.cell == cell - 1 and s.fence is None}
        if record["failed"] is not None:
            failed = notebook.cells.index(notebooks.code_cells(notebook)[record["failed"]])
            if failed in mine:
                raise FenceFailure(record["error"])
            if failed < min(mine):
                first = record["error"].splitlines()[0].rstrip(":")
                pytest.skip(f"not run: an earlier fence of the page raised ({first})")
        if fence.expected_output is None:
            return
        printed = notebooks.printed(notebook.cells[cell])
        comparison = compare(fence.expected_output, printed, fence.tolerance)
        if not comparison.ok:
            kind = "measured, within the tolerance of its mark" if fence.tolerance else "exact"
            raise FenceFailure(
                f"{fence.id}: the fence printed something else than the page shows "
                f"(line {fence.output_line}, {kind}):\n{comparison.problem}\n\n"
                f"--- printed\n{normalise(printed)}\n--- the page shows\n"
                f"{normalise(fence.expected_output)}"
            )

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, FenceFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.fence.line - 1, f"{self.fence.id} (code fence)"
