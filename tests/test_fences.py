"""Run every Python fence of every page, as the reader sees it, and check printed output."""

from __future__ import annotations

import contextlib
import io
import linecache
import traceback

import pytest

from site_tools.fences import RUNNABLE, Fence, page_fences, pages


def chains() -> list[list[Fence]]:
    """Fences that share names: one that starts fresh plus the ones marked to continue it."""
    groups: list[list[Fence]] = []
    for page in pages():
        for fence in page_fences(page):
            if fence.language not in RUNNABLE or fence.skip_reason is not None:
                continue
            if fence.continues and groups and groups[-1][-1].page == page:
                groups[-1].append(fence)
            else:
                groups.append([fence])
    return groups


def run_fence(fence: Fence, namespace: dict) -> str:
    """Execute one fence in ``namespace`` and return what it printed."""
    filename = f"<{fence.id}>"
    lines = fence.code.splitlines(keepends=True)
    linecache.cache[filename] = (len(fence.code), None, lines, filename)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(fence.code, filename, "exec"), namespace)
    return buffer.getvalue()


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.mark.parametrize("chain", chains(), ids=lambda chain: chain[0].id)
def test_fence(chain: list[Fence]) -> None:
    namespace = {"__name__": "__main__"}  # so an `if __name__ == "__main__":` body runs too
    for fence in chain:
        try:
            printed = run_fence(fence, namespace)
        except Exception:
            numbered = "\n".join(
                f"{number:4} | {line}" for number, line in enumerate(fence.code.splitlines(), 1)
            )
            pytest.fail(
                f"the fence at {fence.id} raised:\n{traceback.format_exc()}\n"
                f"the code, with includes expanded:\n{numbered}",
                pytrace=False,
            )
        if fence.expected_output is not None and normalise(printed) != normalise(
            fence.expected_output
        ):
            pytest.fail(
                f"the fence at {fence.id} printed\n{printed}\nbut the page shows\n"
                f"{fence.expected_output}",
                pytrace=False,
            )
