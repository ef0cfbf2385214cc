"""Hook: a math font served with the site, cut down to what the formulas use.

Formulas are MathML, which the browser lays out with a font's OpenType MATH table: the size of
a display ∑, where its limits go, how far a fraction bar sits. Without such a font (most Linux
desktops have none) ∑ is drawn at letter size. The site serves Noto Sans Math (from npm,
``@fontsource/noto-sans-math``, SIL Open Font License 1.1, shipped beside it), subset to the
characters inside the site's ``<math>`` elements, with its MATH table. Only a page with a
formula uses the font family, so only such a page loads the file; it also preloads it, so that
its formulas are laid out once.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from site_tools.hooks.common import is_offline
from site_tools.project import ROOT

PACKAGE = ROOT / "node_modules" / "@fontsource" / "noto-sans-math"
SOURCE = PACKAGE / "files" / "noto-sans-math-latin-400-normal.woff"
FOLDER = "stylesheets/fonts"  # docs/stylesheets/extra.css names it as fonts/tutorial-math.woff
FONT = f"{FOLDER}/tutorial-math.woff"
LICENCE = f"{FOLDER}/noto-sans-math-OFL.txt"
MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
# A one-letter <mi> is drawn from the Mathematical Alphanumeric Symbols block (italic), not from
# the letter itself: Latin and Greek italic, the dotless i and j, and ℎ, which sits apart.
ITALIC = [*range(0x1D434, 0x1D468), *range(0x1D6E2, 0x1D71C), 0x1D6A4, 0x1D6A5, 0x210E]


def formula_characters(site: Path) -> set[str]:
    """Every character inside a <math> element of the built pages."""
    found = set()
    for page in site.rglob("*.html"):
        for formula in MATH.findall(page.read_text(encoding="utf-8")):
            found |= set(html.unescape(re.sub(r"<[^>]+>", "", formula)))
    return found


def subset(characters: set[str], target: Path) -> None:
    """Write the font, with its MATH table, for ``characters`` (and the italic letters)."""
    from fontTools import subset as fonttools_subset

    options = fonttools_subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff"
    options.notdef_outline = True
    font = fonttools_subset.load_font(str(SOURCE), options)
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters} | {0x20, *ITALIC}))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    fonttools_subset.save_font(font, str(target), options)


def on_post_build(config) -> None:
    if not SOURCE.is_file():
        raise PluginError(f"{SOURCE.relative_to(ROOT)} is missing: run 'npm ci' in the project")
    site = Path(config.site_dir)
    subset(formula_characters(site), site / FONT)
    (site / LICENCE).write_bytes((PACKAGE / "LICENSE").read_bytes())


def on_post_page(output: str, page, config) -> str:
    """A page with a formula asks for the font at once, before its stylesheet names it; not in
    the offline copy, where a preload, fetched with CORS, is refused under file://."""
    if "<math" not in output or is_offline(config):
        return output
    href = get_relative_url(FONT, page.url)
    preload = f'<link rel="preload" href="{href}" as="font" type="font/woff" crossorigin>'
    return output.replace("</head>", f"{preload}\n</head>", 1)
