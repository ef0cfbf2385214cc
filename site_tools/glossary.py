"""The project's glossary (snippets/glossary.md) and a check that pages keep to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from site_tools.project import ROOT as PROJECT_ROOT

GLOSSARY = PROJECT_ROOT / "snippets" / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Term:
    chinese: str
    english: str
    avoided: tuple[str, ...]  # other translations, not used in this tutorial


def terms(path: Path = GLOSSARY) -> list[Term]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            raise ValueError(f"{path}: a row needs three cells: {line!r}")
        avoided = tuple(form.strip() for form in cells[2].split(",") if form.strip())
        rows.append(Term(cells[0], cells[1], avoided))
    return rows


def violations(page: Path, language: str, glossary: list[Term] | None = None) -> list[str]:
    """Lines of ``page`` (outside code) that use an avoided translation of a term.

    A line that also names the glossary's own term is allowed: it is explaining the other name.
    """
    problems = []
    inside_fence = None
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if fence:
            inside_fence = None if inside_fence else fence.group(1)
            continue
        if inside_fence:
            continue
        prose = re.sub(r"`[^`]*`", "", line)
        listed = glossary or terms()
        for term in listed:
            preferred = term.chinese if language == "zh" else term.english
            for form in term.avoided:
                if bool(CJK.search(form)) != (language == "zh"):
                    continue
                # A term that contains the form is not a use of it: 批量 in 批量归一化.
                names = {
                    n.strip() for t in listed for n in (t.chinese, t.english) for n in n.split("/")
                }
                masked = prose
                for name in sorted(names, key=len, reverse=True):
                    if form.lower() in name.lower() and name.lower() != form.lower():
                        masked = re.sub(re.escape(name), " ", masked, flags=re.IGNORECASE)
                found = re.search(re.escape(form), masked, re.IGNORECASE)
                if found and not any(p.strip() in prose for p in preferred.split("/")):
                    problems.append(
                        f"{page.relative_to(PROJECT_ROOT) if page.is_relative_to(PROJECT_ROOT) else page}"
                        f":{number}: '{form}' is not this tutorial's term; the glossary uses "
                        f"'{preferred}'"
                    )
    return problems
