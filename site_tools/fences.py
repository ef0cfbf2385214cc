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

from site_tools.project import DOCS, LANGUAGES, ROOT, settings

RUNNABLE = {"python", "py"}
SNIPPET_LINE = re.compile(r"^\s*(?:-{1,}8<-{1,}|;*-{1,}8<-{1,})\s")
TITLE = re.compile(r'title="([^"]+)"')
SKIP_REASON = re.compile(r"""pytest\.mark\.skip\(\s*reason\s*=\s*(["'])(.+?)\1\s*\)""")


class FenceError(ValueError):
    """A page whose fences cannot be read; the message names the file and line."""


@dataclass
class Fence:
    page: Path
    line: int  # line of the opening ``` in the page's own source
    language: str
    code: str
    info: str = ""  # everything after the backticks: language, title="...", ...
    expected_output: str | None = None
    skip_reason: str | None = None
    continues: bool = False  # shares names with the fence before it
    indent: str = ""  # inside a block such as an exercise's collapsed solution
    marks: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page.as_posix()}:{self.line}"


@cache
def _snippets() -> markdown.Markdown:
    """pymdownx.snippets as mkdocs.yml sets it up (base path: the project; no auto-append)."""
    configured = next(
        entry["pymdownx.snippets"]
        for entry in settings()["markdown_extensions"]
        if isinstance(entry, dict) and "pymdownx.snippets" in entry
    )
    options = {k: v for k, v in configured.items() if k not in ("base_path", "auto_append")}
    return markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {**options, "base_path": [str(ROOT)]}},
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
FRONT_MATTER_END = "---"


@dataclass
class Prose:
    """Markdown between fences, as the reader sees it (includes expanded, marks dropped)."""

    page: Path
    line: int
    text: str


def _fence_language(info: str) -> str:
    return re.split(r"[\s{]", info.lstrip("{."), maxsplit=1)[0].lower()


def read_page(page: Path) -> list[Prose | Fence]:
    """The page in order: prose and fences, with includes expanded and marks attached.

    An output fence (marked ``expected-output``) is not listed on its own: it becomes the
    ``expected_output`` of the fence before it. Front matter is left out.
    """
    lines, origins = expand(page.read_text(encoding="utf-8"), page)
    blocks: list[Prose | Fence] = []
    prose: list[str] = []
    prose_line = 1
    pending: list[str] = []
    index = 0
    if lines and lines[0] == FRONT_MATTER_END:
        index = lines.index(FRONT_MATTER_END, 1) + 1

    def flush() -> None:
        if "".join(prose).strip():
            blank = next(i for i, text in enumerate(prose) if text.strip())
            blocks.append(
                Prose(page=page, line=prose_line + blank, text="\n".join(prose).strip("\n"))
            )
        prose.clear()

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
            index += 1
            continue
        if not opening:
            if line.strip():
                pending = []
            if not prose:
                prose_line = origins[index]
            prose.append(line)
            index += 1
            continue
        indent, ticks = opening.group("indent"), opening.group("ticks")
        line_number = origins[index]
        body, index = [], index + 1
        while index < len(lines) and not (
            lines[index].strip().startswith(ticks) and lines[index].strip().strip(ticks[0]) == ""
        ):
            body.append(lines[index].removeprefix(indent))
            index += 1
        if index == len(lines):
            raise FenceError(f"{page}:{line_number}: this fence is never closed")
        index += 1
        code = "\n".join(body) + "\n"
        flush()
        if "pytest-codeblocks:expected-output" in pending:
            previous = blocks[-2] if len(blocks) > 1 and isinstance(blocks[-1], Prose) else None
            target = blocks[-1] if blocks and isinstance(blocks[-1], Fence) else previous
            if not isinstance(target, Fence):
                raise FenceError(f"{page}:{line_number}: expected output, but no fence before it")
            target.expected_output = code
        else:
            skip = next((m for m in pending if m.startswith("pytest.mark.skip")), None)
            reason = None
            if skip is not None:
                match = SKIP_REASON.search(skip)
                reason = match.group(2).strip() if match else ""
            blocks.append(
                Fence(
                    page=page,
                    line=line_number,
                    language=_fence_language(opening.group("info").strip()),
                    code=code,
                    info=opening.group("info").strip(),
                    skip_reason=reason,
                    continues="pytest-codeblocks:cont" in pending,
                    indent=indent,
                    marks=list(pending),
                )
            )
        pending = []
    flush()
    return blocks


def page_fences(page: Path) -> list[Fence]:
    """Every fence of ``page``, in order, with includes expanded and marks attached."""
    return [block for block in read_page(page) if isinstance(block, Fence)]


def pages(language: str | None = None) -> list[Path]:
    """The Markdown pages of one language tree, or of all of them."""
    roots = [DOCS / language] if language else [DOCS / lang for lang in LANGUAGES]
    return sorted(page for root in roots for page in root.rglob("*.md"))
