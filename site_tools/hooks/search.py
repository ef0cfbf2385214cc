"""Hook: a page whose title is named inside another page's title comes first for its own name.

Material's search index ignores the length of a title (lunr's ``b(0)``), so "Convolution" and
"Transposed convolution" score the same on the word "convolution", and the text under each title
breaks the tie, often for the longer one. Where every word of a page's title is also in a longer
title of the same index, the shorter page gets a small boost (Material's per-page
``search.boost``, written into the index). It breaks that tie, and it is far too small to lift the
page above one that matches more of the query's words ("transposed convolution" still finds the
transposed convolution first). ``tests/test_browser.py`` types every chapter's title, in both
languages, and expects its chapter first.

Chinese text is cut into words by jieba (Material's search plugin) before it is indexed. Its
dictionary does not know this tutorial's terms, so it cut 线性层则 into 线性 and 层则, and each new
page added such fragments; a query is matched by prefix, so every fragment that starts with 层
thinned out the weight of 层 and moved the chapters' order. The chapters' one-word Chinese titles
(卷积层, 池化层, 线性回归) are added to jieba's words, so a reader who types a chapter's name
matches it whole. (Adding every glossary term as well moved 梯度下降 to the initialization chapter:
whole terms change which page says a word most, so only the titles are added.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

from site_tools import project
from site_tools.hooks.common import SEARCH_INDEX_SCRIPT

NAMED_INSIDE_ANOTHER = 1.25
SHORT_TITLE = re.compile(r"[\u4e00-\u9fff]{2,6}")  # a title that is one word, e.g. 池化层


def tutorial_words() -> list[str]:
    """The chapters' one-word Chinese titles."""
    words = {
        chapter.title("zh")
        for chapter in project.chapters()
        if "zh" in project.LANGUAGES and SHORT_TITLE.fullmatch(chapter.title("zh"))
    }
    return sorted(words)


def on_config(config):
    """Teach jieba this tutorial's words before the search plugin cuts any page."""
    try:
        import jieba
    except ImportError:  # Material indexes Chinese without jieba then
        return config
    for word in tutorial_words():
        jieba.add_word(word)
    return config


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
