"""Check the Chinese copy with autocorrect: spaces between Chinese and Latin text, full-width
punctuation in Chinese sentences.

    python -m site_tools.lint_chinese          # list problems (exit 1 if any)
    python -m site_tools.lint_chinese --fix    # rewrite the files as autocorrect suggests

Checked: every Markdown file of the Chinese tree, the Chinese snippets and CONTRIBUTING.zh.md.
Code blocks and inline code are left alone, as autocorrect does for Markdown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import autocorrect_py

from site_tools.project import DOCS, ROOT


def files() -> list[Path]:
    found = sorted((DOCS / "zh").rglob("*.md")) + sorted((ROOT / "snippets" / "zh").glob("*.md"))
    return found + [ROOT / "CONTRIBUTING.zh.md"]


def problems(path: Path) -> list[str]:
    """Each line autocorrect would change: file:line:column, then the line as it should read."""
    result = autocorrect_py.lint_for(path.read_text(encoding="utf-8"), "markdown")
    relative = path.relative_to(ROOT).as_posix()
    return [
        f"{relative}:{line.line}:{line.col}: {line.old.strip()}\n    should read: {line.new.strip()}"
        for line in result.lines
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", action="store_true", help="rewrite the files as suggested")
    args = parser.parse_args(argv)
    found = []
    for path in files():
        if args.fix:
            text = path.read_text(encoding="utf-8")
            fixed = autocorrect_py.format_for(text, "markdown")
            if fixed != text:
                path.write_text(fixed, encoding="utf-8")
                print(f"fixed {path.relative_to(ROOT).as_posix()}")
        else:
            found += problems(path)
    print("\n".join(found) or f"Chinese copy: {len(files())} files, no problem found.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
