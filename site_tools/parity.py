"""Compare the Chinese and English trees: same pages, sections, code, includes and figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from site_tools.fences import page_fences
from site_tools.project import DOCS, LANGUAGES

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
INCLUDE = re.compile(r"""--8<--\s+["']([^"']+)["']""")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
COLLAPSED = re.compile(r"^\s*\?\?\?\+?\s+([\w-]+)")
FRONT_EXAMPLE = re.compile(r"\A---\n(?:.*\n)*?example:\s*(\w+)\n(?:.*\n)*?---\n")


@dataclass(frozen=True)
class Item:
    kind: str  # heading, fence, include, figure, example, collapsed
    value: str
    section: str  # the heading the item sits under, in the page's own language
    line: int


def outline(page: Path, language: str) -> list[Item]:
    """What must agree between the two languages of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    items: list[Item] = []
    example = FRONT_EXAMPLE.match(text)
    if example:
        items.append(Item("example", example.group(1), "(front matter)", 1))
    section, fence_open = "(top of page)", None
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if fence:
            fence_open = (
                None
                if fence_open and fence.group(1).startswith(fence_open)
                else (fence_open or fence.group(1))
            )
        heading = HEADING.match(line) if fence_open is None else None
        if heading:
            section = heading.group(2)
            items.append(Item("heading", f"level {len(heading.group(1))}", section, number))
        collapsed = COLLAPSED.match(line) if fence_open is None else None
        if collapsed:  # an exercise's solution, say: same kind, same place, in both languages
            items.append(Item("collapsed", collapsed.group(1), section, number))
        for target in INCLUDE.findall(line):
            # The run box is a per-language snippet; the rest of an include must match.
            items.append(
                Item("include", target.replace(f"/{language}/", "/<lang>/"), section, number)
            )
        for target in IMAGE.findall(line):  # each language shows its own drawing of a figure
            items.append(
                Item("figure", target.replace(f".{language}.", ".<lang>."), section, number)
            )
    headings = {item.line: item.section for item in items if item.kind == "heading"}
    for fence in page_fences(page):
        under = max((n for n in headings if n < fence.line), default=None)
        items.append(
            Item(
                "fence",
                f"```{fence.language}\n{fence.code}"
                + (f"[output]\n{fence.expected_output}" if fence.expected_output else ""),
                headings.get(under, "(top of page)"),
                fence.line,
            )
        )
    return items


def page_differences(rel: Path) -> list[str]:
    """How the two languages of one page (a path inside each tree) disagree."""
    first, second = LANGUAGES
    a, b = (outline(DOCS / lang / rel, lang) for lang in LANGUAGES)
    problems = []
    for kind in ("example", "heading", "collapsed", "include", "figure", "fence"):
        left = [item for item in a if item.kind == kind]
        right = [item for item in b if item.kind == kind]
        for index in range(max(len(left), len(right))):
            x = left[index] if index < len(left) else None
            y = right[index] if index < len(right) else None
            if x is None or y is None or x.value != y.value:
                where = " / ".join(
                    f"docs/{lang}/{rel.as_posix()}:{item.line} in section '{item.section}'"
                    for lang, item in zip(LANGUAGES, (x, y), strict=True)
                    if item is not None
                )
                problems.append(
                    f"{rel.as_posix()}: {kind} #{index + 1} differs between the languages "
                    f"({where}):\n  {first}: {x.value if x else '(none)'!r}\n"
                    f"  {second}: {y.value if y else '(none)'!r}"
                )
                break
    return problems


def trees() -> dict[str, set[Path]]:
    return {
        lang: {p.relative_to(DOCS / lang) for p in (DOCS / lang).rglob("*.md")}
        for lang in LANGUAGES
    }


def differences() -> list[str]:
    """Every way the two trees disagree, each naming the page and the section."""
    first, second = LANGUAGES
    pages = trees()
    problems = [
        f"docs/{other}/{rel.as_posix()} is missing (docs/{lang}/{rel.as_posix()} exists)"
        for lang, other in ((first, second), (second, first))
        for rel in sorted(pages[lang] - pages[other])
    ]
    for rel in sorted(pages[first] & pages[second]):
        problems += page_differences(rel)
    return problems
