"""Run ruff over the Python in every fence, as the tests run it (continued fences joined).

    python -m site_tools.lint_fences [ruff arguments]

Problems are reported against the page and line of the fence they come from.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from site_tools.fences import RUNNABLE, page_fences, pages

# Fences are read top to bottom on a page: imports may follow code, and import order is a
# matter of teaching, not of style.
# B007: a page reads a loop's counter after the loop ("how many iterations it took").
RUFF_ARGS = ["--select", "E,F,W,B", "--ignore", "E402,E501,B007"]  # length: as in pyproject.toml


def chains() -> list[tuple[str, str]]:
    """(fence id, code) for every run of fences that share names."""
    result: list[tuple[str, str]] = []
    for page in pages():
        for fence in page_fences(page):
            if fence.language not in RUNNABLE or fence.skip_reason is not None:
                continue
            if fence.continues and result and result[-1][0].split(":")[0] == fence.id.split(":")[0]:
                result[-1] = (result[-1][0], result[-1][1] + fence.code)
            else:
                result.append((fence.id, fence.code))
    return result


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory() as scratch:
        names = {}
        for number, (fence_id, code) in enumerate(chains()):
            path = Path(scratch) / f"fence_{number:03}.py"
            path.write_text(code, encoding="utf-8")
            names[path.name] = fence_id
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--no-cache",
                "--isolated",
                *RUFF_ARGS,
                *extra,
                scratch,
            ],
            capture_output=True,
            text=True,
        )
    output = result.stdout + result.stderr
    for name, fence_id in names.items():
        output = re.sub(
            rf"\S*{re.escape(name)}",
            f"{fence_id} (fence, line counted from its first code line)",
            output,
        )
    print(output.strip() or "fences: ruff found nothing")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
