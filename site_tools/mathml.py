"""Markdown extension: ``$...$`` and ``$$...$$`` become MathML at build time.

Browsers render MathML natively, so formulas need no script, no web font and no request to
another host. A formula that latex2mathml cannot read fails the build with the formula quoted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from latex2mathml.converter import convert
from markdown import Extension
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor


class FormulaError(ValueError):
    """A formula that cannot be turned into MathML."""


def to_mathml(tex: str, display: str) -> str:
    try:
        mathml = convert(tex.strip(), display=display)
    except Exception as error:  # latex2mathml raises many kinds; all mean "bad formula".
        raise FormulaError(f"cannot render formula ${tex}$: {error}") from error
    # Screen readers and search get the source too.
    return mathml.replace("<math ", f'<math alttext="{_escape(tex.strip())}" ', 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


class InlineMath(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        placeholder = self.md.htmlStash.store(to_mathml(m.group(1), "inline"))
        return placeholder, m.start(0), m.end(0)


class DisplayMath(BlockProcessor):
    PATTERN = re.compile(r"^\$\$\s*\n?(.+?)\n?\s*\$\$\s*$", re.DOTALL)

    def test(self, parent, block):
        return bool(self.PATTERN.match(block))

    def run(self, parent, blocks):
        tex = self.PATTERN.match(blocks.pop(0)).group(1)
        # Wide formulas scroll sideways; a scrolling region must take keyboard focus.
        wrapper = etree.SubElement(parent, "div", {"class": "math-display", "tabindex": "0"})
        wrapper.text = self.parser.md.htmlStash.store(to_mathml(tex, "block"))


class MathMLExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        # After code spans (190) so `$x$` in code stays code; before emphasis, so x_1 survives.
        md.inlinePatterns.register(
            InlineMath(r"(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])", md), "mathml", 185
        )
        md.parser.blockprocessors.register(DisplayMath(md.parser), "mathml-display", 105)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's API)
    return MathMLExtension(**kwargs)
