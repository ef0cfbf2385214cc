"""The Nu HTML Checker over built pages, telling our errors from the theme's.

The checker is ``vnu-jar`` from npm (package.json), run with Java. An error that matches one
of ``THEIRS`` comes from Material's templates and is left there on purpose, with the upstream
discussion that explains why; every other error is ours and fails the tests.

    python -m site_tools.html_check FOLDER [FOLDER ...]
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from site_tools.project import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
THEIRS = {
    # Material marks its drawer and search toggles autocomplete="off" so that Firefox does not
    # restore them open after a reload; HTML allows the attribute on text-like inputs only.
    "https://github.com/squidfunk/mkdocs-material/issues/1513": re.compile(
        r"Attribute “autocomplete” is only allowed when the input type is"
    ),
}


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def available() -> bool:
    return VNU.is_file() and shutil.which("java") is not None


def check(*folders: Path) -> list[Problem]:
    """Every error the checker finds in the HTML files of ``folders``."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         *map(str, folders)],
        capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(result.stderr or "{}")
    return [
        Problem(re.sub(r"^file:", "", m.get("url", "")), m.get("lastLine", 0), m["message"])
        for m in report.get("messages", [])
        if m.get("type") == "error"
    ]


def theirs(problem: Problem) -> str | None:
    """The upstream link that explains a theme error, or None for ours."""
    return next((url for url, pattern in THEIRS.items() if pattern.search(problem.message)), None)


def main(argv: list[str] | None = None) -> int:
    folders = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or [ROOT / "site"]
    if not available():
        print("html_check: needs Java and vnu-jar (npm ci)")
        return 2
    problems = check(*folders)
    ours = [p for p in problems if theirs(p) is None]
    for url in THEIRS:
        count = sum(1 for p in problems if theirs(p) == url)
        print(f"html_check: {count} error(s) from the theme, left on purpose: {url}")
    for problem in ours:
        print(problem)
    print(f"html_check: {len(ours)} error(s) of our own")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
