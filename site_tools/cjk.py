"""Chinese text in Markdown: a line break between two Chinese characters is not a space.

Markdown turns a line break inside a paragraph into a space, which in Chinese shows as a gap in
the middle of a sentence ("损失函数、 更新规则"). The build joins such lines before rendering,
so authors keep wrapping their source at any width.
"""

from __future__ import annotations

import re

CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
ENDS_IN_CJK = re.compile(f"[{CJK}]$")
ENDS_IN_CJK_LINK = re.compile(rf"[{CJK}]\]\([^)\s]*\)$")  # [线性层](../layers/linear-layer.md)
STARTS_WITH_CJK = re.compile(f"^[ \t]*[{CJK}]")
ENDS_IN_CJK_PUNCTUATION = re.compile("[\u3000-\u303f\uff00-\uffef]$")
BLOCK_START = re.compile(r"^[ \t]*(?:[-*+>|#]|\d+\. |$|!!!|\?\?\?|<|\$\$)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def _joins(previous: str, line: str) -> bool:
    if not previous.strip() or previous.lstrip().startswith(("#", "|", "<", "!!!", "???", "$$")):
        return False
    if BLOCK_START.match(line):
        return False
    return bool(
        (
            (ENDS_IN_CJK.search(previous) or ENDS_IN_CJK_LINK.search(previous))
            and STARTS_WITH_CJK.match(line)
        )
        or ENDS_IN_CJK_PUNCTUATION.search(previous)
    )


def join_lines(markdown: str) -> str:
    """Join the lines of Chinese prose that Markdown would separate by a space; code stays."""
    out: list[str] = []
    fence = None
    joinable = False  # whether the last line in ``out`` is prose that a next line may join
    for line in markdown.split("\n"):
        opening = FENCE.match(line)
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if opening:
            fence, joinable = opening.group(1), False
            out.append(line)
            continue
        if joinable and out and _joins(out[-1], line):
            out[-1] += line.lstrip()
        else:
            out.append(line)
        joinable = True
    return "\n".join(out)
