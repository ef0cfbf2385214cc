"""Numbers in a chapter's prose come from its run.

A number written in a sentence must be one the page prints or uses: it appears in one of the
page's code blocks or in one of its output blocks, which the notebook test compares with a real
run. A number that no code produces (a year, a figure from a paper) is listed in the page's front
matter under ``stated:``, the same list in every language. Each section says the same numbers in
every language, so a number changed in one translation is caught even when the other page
prints it somewhere.

``python -m site_tools.prose_numbers`` lists every problem; the tests run the same check.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from site_tools.fences import Fence, Prose, read_page
from site_tools.outputs import exact_numbers
from site_tools.project import LANGUAGES, Chapter, chapters

NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")
# Written text that holds no claim of ours: comments, inline code, math, link targets, attributes,
# and the numbers of numbered lists and exercises ("1. ", "**2. Title.**").
NOT_PROSE = re.compile(
    r"<!--.*?-->|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)]*\)|\{[^}\n]*\}|<[^>]+>"
    r"|^[ \t]*(?:\*\*)?\d+\.(?=[ \t])",
    re.S | re.M,
)
HEADING = re.compile(r"^#{1,6}\s", re.M)


def value(token: str) -> str:
    """One spelling per number: no thousands separators, an ASCII minus, no trailing zeros."""
    text = token.replace(",", "").replace("−", "-")
    if "." in text and "e" not in text.lower():
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Mention:
    token: str  # as written
    line: int
    section: int  # how many headings come before it


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mentions(blocks: Iterable[Prose | Fence]) -> tuple[list[Mention], dict[str, list[int]]]:
    """The numbers of the prose, and where each number appears in the code and outputs."""
    said: list[Mention] = []
    shown: dict[str, list[int]] = {}
    section = 0
    for block in blocks:
        if isinstance(block, Fence):
            # A measured output's numbers vary by machine: only its exact ones may be quoted.
            output = block.expected_output or ""
            printed = (
                " ".join(exact_numbers(output, block.tolerance)) if block.tolerance else output
            )
            for token in NUMBER.findall(block.code + "\n" + printed):
                shown.setdefault(value(token), []).append(block.line)
            continue
        text = NOT_PROSE.sub(_blank, block.text)
        lines = text.split("\n")
        for offset, line in enumerate(lines):
            if HEADING.match(line):
                section += 1
                continue
            for match in NUMBER.finditer(line):
                said.append(Mention(match.group(0), block.line + offset, section))
    return said, shown


def _nearest(wanted: str, shown: dict[str, list[int]]) -> str:
    try:
        target = float(wanted)
    except ValueError:
        return "none"
    numeric = [(abs(float(v) - target), v) for v in shown if re.fullmatch(r"-?[\d.]+", v)]
    if not numeric:
        return "none"
    _, closest = min(numeric)
    return f"{closest} (line {shown[closest][0]})"


def problems(chapter: Chapter) -> list[str]:
    """Every number of the chapter's prose that its run does not back, named by page and line."""
    found: list[str] = []
    per_language: dict[str, list[Mention]] = {}
    stated_lists = {
        lang: sorted(value(str(n)) for n in chapter.front_matter(lang).get("stated", []))
        for lang in LANGUAGES
    }
    for language in LANGUAGES:
        page = chapter.page(language)
        relative = f"docs/{language}/{chapter.source}"
        stated = set(stated_lists[language])
        said, shown = mentions(read_page(page))
        per_language[language] = said
        for mention in said:
            number = value(mention.token)
            if number not in shown and number not in stated:
                found.append(
                    f"{relative}:{mention.line}: the prose says {mention.token}, which the page "
                    f"neither prints nor uses; the nearest number it prints or uses is "
                    f"{_nearest(number, shown)}. Correct the sentence, or, if no code can produce "
                    f"this number, add it to `stated:` in the front matter of every language"
                )
    first, *others = LANGUAGES
    for other in others:
        if stated_lists[first] != stated_lists[other]:
            found.append(
                f"{chapter.source}: `stated:` differs between the languages: "
                f"{first} {stated_lists[first]}, {other} {stated_lists[other]}"
            )
        sections = {m.section for m in per_language[first] + per_language[other]}
        for section in sorted(sections):
            a = {value(m.token): m for m in per_language[first] if m.section == section}
            b = {value(m.token): m for m in per_language[other] if m.section == section}
            for number in sorted(a.keys() ^ b.keys()):
                where, missing = (first, other) if number in a else (other, first)
                mention = (a if number in a else b)[number]
                found.append(
                    f"docs/{where}/{chapter.source}:{mention.line}: the prose says "
                    f"{mention.token}, but section {section} of docs/{missing}/{chapter.source} "
                    f"never says {number}"
                )
    return found


def main() -> int:
    report = [problem for chapter in chapters() for problem in problems(chapter)]
    print("\n".join(report) or "Every number in the chapters' prose is backed by their runs.")
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
