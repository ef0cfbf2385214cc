"""Find the code fences of a page as a reader sees them: snippets expanded, marks attached.

Pages mark fences with pytest-codeblocks' comments on the line before a fence:

* ``<!--pytest-codeblocks:cont-->``: this fence continues the previous one (shares its names);
* ``<!--pytest-codeblocks:expected-output-->``: this fence is what the previous one prints;
* ``<!--pytest.mark.skip(reason="...")-->``: not run, for the stated reason.

Every other ``python`` fence runs on its own. The includes (``--8<--``) are expanded with
pymdownx.snippets configured exactly as in mkdocs.yml, so the code tested is the code shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown

from examples.paths import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
LANGUAGES = ("en", "zh")
RUNNABLE = {"python", "py"}
SNIPPET_LINE = re.compile(r"^\s*(?:-{1,}8<-{1,}|;*-{1,}8<-{1,})\s")
SKIP_REASON = re.compile(r"""pytest\.mark\.skip\(\s*reason\s*=\s*(["'])(.+?)\1\s*\)""")


class FenceError(ValueError):
    """A page whose fences cannot be read; the message names the file and line."""


@dataclass
class Fence:
    page: Path
    line: int  # line of the opening ``` in the page's own source
    language: str
    code: str
    expected_output: str | None = None
    skip_reason: str | None = None
    continues: bool = False  # shares names with the fence before it
    marks: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        page = (
            self.page.relative_to(PROJECT_ROOT)
            if self.page.is_relative_to(PROJECT_ROOT)
            else self.page
        )
        return f"{page.as_posix()}:{self.line}"


@cache
def _snippets() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {
                "base_path": [str(PROJECT_ROOT)],
                "check_paths": True,
                "dedent_subsections": True,
            }
        },
    )


def expand(text: str, page: Path) -> tuple[list[str], list[int]]:
    """Expand every include; return the lines and, for each, its line number in ``page``."""
    processor = _snippets().preprocessors["snippet"]
    lines, origins = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if SNIPPET_LINE.match(line):
            try:
                expanded = processor.run([line])
            except Exception as error:  # SnippetMissingError and friends
                raise FenceError(f"{page}:{number}: {error}") from error
        else:
            expanded = [line]
        lines.extend(expanded)
        origins.extend([number] * len(expanded))
    return lines, origins


MARK = re.compile(r"^<!--\s*(pytest-codeblocks:[\w-]+|pytest\.mark\.[^>]*?)\s*-->$")
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")


def page_fences(page: Path) -> list[Fence]:
    """Every fence of ``page``, in order, with includes expanded and marks attached.

    An output fence (marked ``expected-output``) is not listed on its own: it becomes the
    ``expected_output`` of the fence before it.
    """
    lines, origins = expand(page.read_text(encoding="utf-8"), page)
    fences: list[Fence] = []
    pending: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        mark = MARK.match(line.strip())
        opening = FENCE_OPEN.match(line)
        if mark:
            keyword = mark.group(1)
            if keyword.startswith("pytest-codeblocks:") and keyword.split(":", 1)[1] not in (
                "cont",
                "expected-output",
            ):
                raise FenceError(f"{page}:{origins[index]}: unknown mark <!--{keyword}-->")
            pending.append(keyword)
        elif opening:
            indent, ticks = opening.group("indent"), opening.group("ticks")
            body, index = [], index + 1
            while index < len(lines):
                candidate = lines[index]
                if candidate.strip().startswith(ticks) and candidate.strip().strip(ticks[0]) == "":
                    break
                body.append(candidate[len(indent) :] if candidate.startswith(indent) else candidate)
                index += 1
            else:
                raise FenceError(
                    f"{page}:{origins[index - len(body) - 1]}: this fence is never closed"
                )
            code = "\n".join(body) + "\n"
            line_number = origins[index - len(body) - 1]
            if "pytest-codeblocks:expected-output" in pending:
                if not fences:
                    raise FenceError(
                        f"{page}:{line_number}: expected output, but no fence before it"
                    )
                fences[-1].expected_output = code
            else:
                info = opening.group("info").strip()
                language = re.split(r"[\s{]", info.lstrip("{."), maxsplit=1)[0].lower()
                skip = next((m for m in pending if m.startswith("pytest.mark.skip")), None)
                reason = None
                if skip is not None:
                    match = SKIP_REASON.search(skip)
                    reason = match.group(2).strip() if match else ""
                fences.append(
                    Fence(
                        page=page,
                        line=line_number,
                        language=language,
                        code=code,
                        skip_reason=reason,
                        continues="pytest-codeblocks:cont" in pending,
                        marks=list(pending),
                    )
                )
            pending = []
        elif line.strip():
            pending = []
        index += 1
    return fences


def pages(language: str | None = None) -> list[Path]:
    """The Markdown pages of one language tree, or of all of them."""
    roots = [DOCS / language] if language else [DOCS / lang for lang in LANGUAGES]
    return sorted(page for root in roots for page in root.rglob("*.md"))
