"""Find the code fences of a page as a reader sees them: snippets expanded, marks attached.

The fences and their marks are read by pytest-codeblocks' own parser
(``pytest_codeblocks.extract_from_buffer``) from the page with its includes (``--8<--``)
expanded by pymdownx.snippets, configured exactly as in mkdocs.yml, so the code tested is the
code shown. Marks are HTML comments on the lines before a fence, in pytest-codeblocks' syntax:

* ``<!--pytest.mark.cont-->``: this fence continues the fences above it (shares their names);
* ``<!--pytest.mark.measured(rel=..., abs=..., lines={...})-->``: its output depends on the
  machine, within that tolerance (see ``site_tools.outputs``);
* ``<!--pytest.mark.skip(reason="...")-->``: not run, for the stated reason;
* ``<!--pytest-codeblocks:expected-output-->`` before a fence: what the fence above prints.

This module adds what the parser does not give: where each fence is in the page's own source,
the prose between fences (for the notebooks), and errors that name the page and line.
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
from pytest_codeblocks.main import extract_from_buffer

from site_tools.outputs import Tolerance, ToleranceError
from site_tools.project import DOCS, LANGUAGES, ROOT, settings

RUNNABLE = {"python", "py"}
SNIPPET_LINE = re.compile(r"^\s*(?:-{1,}8<-{1,}|;*-{1,}8<-{1,})\s")
TITLE = re.compile(r'title="([^"]+)"')
KNOWN_MARKS = ("cont", "measured", "skip")


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
    marks: list[str] = field(default_factory=list)  # as pytest-codeblocks read them
    tolerance: Tolerance | None = None  # a measured output; None: exact
    output_line: int | None = None  # line of the expected-output fence in the page

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


MARK = re.compile(r"^<!--[-\s]*(pytest-codeblocks:[\w-]+|pytest\.mark\..*?)\s*-->$")
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,})(?P<info>.*)$")
FRONT_MATTER_END = "---"
OUTPUT_MARK = "pytest-codeblocks:expected-output"


@dataclass
class Prose:
    """Markdown between fences, as the reader sees it (includes expanded, marks dropped)."""

    page: Path
    line: int
    text: str


def _fence_language(info: str) -> str:
    return re.split(r"[\s{]", info.lstrip("{."), maxsplit=1)[0].lower()


def parse_mark(text: str, where: str) -> tuple[str, dict]:
    """``pytest.mark.NAME(key=literal, ...)`` as its name and keyword arguments, never run."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise FenceError(f"{where}: cannot read the mark <!--{text}-->: {error.msg}") from None
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call else node
    name = target.attr if isinstance(target, ast.Attribute) else ""
    if ast.unparse(target) != f"pytest.mark.{name}" or name not in KNOWN_MARKS:
        raise FenceError(f"{where}: unknown mark <!--{text}-->; known: {', '.join(KNOWN_MARKS)}")
    if call and call.args:
        raise FenceError(f"{where}: <!--{text}--> takes keyword arguments only")
    try:
        kwargs = {k.arg: _literal(k.value) for k in (call.keywords if call else [])}
    except ValueError:
        raise FenceError(f"{where}: <!--{text}-->: arguments must be literals") from None
    return name, kwargs


def _literal(node: ast.expr):
    """A Python literal, where ``dict(key=literal)`` also counts as one."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "dict" and not node.args:
        return {k.arg: _literal(k.value) for k in node.keywords}
    if isinstance(node, ast.List):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {
            ast.literal_eval(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True)
        }
    return ast.literal_eval(node)


def _codeblocks(lines: list[str], page: Path) -> dict[int, object]:
    """pytest-codeblocks' reading of the expanded page: its code blocks by opening line."""
    try:
        blocks = extract_from_buffer(io.StringIO("\n".join(lines) + "\n"), max_num_lines=10**6)
    except RuntimeError as error:
        raise FenceError(f"{page}: pytest-codeblocks cannot read this page: {error}") from None
    return {block.lineno: block for block in blocks}


def _same_text(theirs: str | None, ours: str, indent: str) -> bool:
    """Whether pytest-codeblocks read a fence's text as we did.

    In an indented fence (an exercise's solution), pytest-codeblocks 0.18 drops the empty lines:
    it strips up to the fence's indent from every line, and an empty line's indent is its
    newline. Python does not mind, but the page shows them, so the text is taken from our
    reading once the two agree on everything else. tests/test_fence_rules.py has a canary that
    fails when pytest-codeblocks stops doing this, so this allowance can go.
    """
    if theirs is None:
        return False
    if not indent:
        return theirs == ours
    return theirs == "".join(line for line in ours.splitlines(keepends=True) if line.strip())


def read_page(page: Path) -> list[Prose | Fence]:
    """The page in order: prose and fences, with includes expanded and marks attached.

    An output fence (after ``expected-output``) is not listed on its own: it becomes the
    ``expected_output`` of the fence before it. Front matter is left out.
    """
    lines, origins = expand(page.read_text(encoding="utf-8"), page)
    # Our own reading first, so that a broken page gets an error with its line; then the
    # marks and outputs that pytest-codeblocks reads are attached to our fences (below).
    outputs: list[tuple[Fence, str, str, int]] = []  # fence, output text, indent, line
    opened: list[tuple[Fence, int]] = []  # fence, index of its opening line in `lines`
    blocks: list[Prose | Fence] = []
    prose: list[str] = []
    prose_line = 1
    pending: list[tuple[str, int]] = []  # marks seen since the last fence, with their lines
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
            if keyword.startswith("pytest-codeblocks:") and keyword != OUTPUT_MARK:
                raise FenceError(
                    f"{page}:{origins[index]}: <!--{keyword}--> is not used here: write "
                    "<!--pytest.mark.cont--> for a fence that continues the ones above it"
                )
            pending.append((keyword, origins[index]))
            index += 1
            continue
        if not opening:
            if line.strip():
                if pending:
                    raise FenceError(
                        f"{page}:{pending[0][1]}: a mark must stand right above its fence "
                        "(blank lines allowed, no text)"
                    )
            if not prose:
                prose_line = origins[index]
            prose.append(line)
            index += 1
            continue
        indent, ticks = opening.group("indent"), opening.group("ticks")
        opening_index, line_number = index, origins[index]
        body, index = [], index + 1
        while index < len(lines) and not lines[index].lstrip().startswith(ticks):
            body.append(lines[index].removeprefix(indent))
            index += 1
        if index == len(lines):
            raise FenceError(f"{page}:{line_number}: this fence is never closed")
        index += 1
        code = "\n".join(body) + "\n"
        flush()
        keywords = [keyword for keyword, _ in pending]
        if OUTPUT_MARK in keywords:
            previous = blocks[-2] if len(blocks) > 1 and isinstance(blocks[-1], Prose) else None
            target = blocks[-1] if blocks and isinstance(blocks[-1], Fence) else previous
            if not isinstance(target, Fence) or len(keywords) > 1:
                raise FenceError(
                    f"{page}:{line_number}: an expected output needs a fence before it, "
                    "and its marks go above that fence"
                )
            target.expected_output = code
            target.output_line = line_number
            outputs.append((target, code, indent, line_number))
        else:
            fence = Fence(
                page=page,
                line=line_number,
                language=_fence_language(opening.group("info").strip()),
                code=code,
                info=opening.group("info").strip(),
                indent=indent,
            )
            opened.append((fence, opening_index))
            blocks.append(fence)
        pending = []
    flush()
    if pending:
        raise FenceError(f"{page}:{pending[0][1]}: a mark with no fence after it")
    _attach(page, lines, opened, outputs)
    return blocks


def _attach(page: Path, lines: list[str], opened: list, outputs: list) -> None:
    """Give each fence the marks pytest-codeblocks read, checking that it read the same text."""
    parsed = _codeblocks(lines, page)
    theirs = {}
    for fence, opening_index in opened:
        block = parsed.get(opening_index + 1)
        if block is None or not _same_text(block.code, fence.code, fence.indent):
            raise FenceError(
                f"{page}:{fence.line}: pytest-codeblocks reads this fence differently "
                "(upgraded?); see site_tools/fences.py"
            )
        theirs[id(fence)] = block
        fence.marks = list(block.marks)
        for text in block.marks:
            name, kwargs = parse_mark(text, f"{page}:{fence.line}")
            if name == "cont":
                fence.continues = True
            elif name == "skip":
                fence.skip_reason = str(kwargs.get("reason", "")).strip()
            elif name == "measured":
                try:
                    fence.tolerance = Tolerance.from_mark(kwargs)
                except ToleranceError as error:
                    raise FenceError(f"{page}:{fence.line}: {error}") from None
        if fence.tolerance and fence.expected_output is None:
            raise FenceError(f"{page}:{fence.line}: measured, but no expected output")
    for fence, code, indent, line in outputs:
        if not _same_text(theirs[id(fence)].expected_output, code, indent):
            raise FenceError(
                f"{page}:{line}: pytest-codeblocks reads this output differently "
                "(upgraded?); see site_tools/fences.py"
            )


def page_fences(page: Path) -> list[Fence]:
    """Every fence of ``page``, in order, with includes expanded and marks attached."""
    return [block for block in read_page(page) if isinstance(block, Fence)]


def pages(language: str | None = None) -> list[Path]:
    """The Markdown pages of one language tree, or of all of them."""
    roots = [DOCS / language] if language else [DOCS / lang for lang in LANGUAGES]
    return sorted(page for root in roots for page in root.rglob("*.md"))
