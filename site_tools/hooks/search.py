"""Hook: a page whose title is named inside another page's title comes first for its own name.

Material's search index ignores the length of a title (lunr's ``b(0)``), so "Convolution" and
"Transposed convolution" score the same on the word "convolution", and the text under each title
breaks the tie, often for the longer one. Where every word of a page's title is also in a longer
title of the same index, the shorter page gets a small boost (Material's per-page
``search.boost``, written into the index). It breaks that tie, and it is far too small to lift the
page above one that matches more of the query's words ("transposed convolution" still finds the
transposed convolution first). ``tests/test_browser.py`` types every chapter's title, in both
languages, and expects its chapter first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

from site_tools.hooks.common import SEARCH_INDEX_SCRIPT

NAMED_INSIDE_ANOTHER = 1.25
TAG = re.compile(r"<[^>]+>")


def title_words(title: str, separator: str) -> frozenset[str]:
    """The words Material's index makes of a title: split by the search separator, lower case."""
    return frozenset(word.lower() for word in re.split(separator, TAG.sub("", title)) if word)


def boost_named_inside(index: dict) -> list[str]:
    """Boost each page whose title words all appear in a longer page title; return their places."""
    separator = index["config"]["separator"]
    pages = [doc for doc in index["docs"] if "#" not in doc["location"]]
    # A page already ranked below the others (a program page) names its chapter in its title:
    # it does not count as the longer title.
    words = {
        doc["location"]: title_words(doc["title"], separator)
        for doc in pages
        if doc.get("boost", 1) >= 1
    }
    boosted = []
    for doc in pages:
        mine = words.get(doc["location"])
        if mine and "boost" not in doc and any(mine < other for other in words.values()):
            doc["boost"] = NAMED_INSIDE_ANOTHER
            boosted.append(doc["location"])
    return boosted


@event_priority(-400)  # after the workarounds hook has given each language its own index
def on_post_build(config) -> None:
    site = Path(config.site_dir)
    for index_file in sorted(site.glob("**/search/search_index.json")):
        index = json.loads(index_file.read_text(encoding="utf-8"))
        if not boost_named_inside(index):
            continue
        text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
        index_file.write_text(text, encoding="utf-8")
        script = index_file.with_suffix(".js")
        if script.is_file():
            script.write_text(SEARCH_INDEX_SCRIPT + text, encoding="utf-8")
