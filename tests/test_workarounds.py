"""Canaries for the workarounds in site_tools/hooks/workarounds.py.

Each test builds or reads what upstream produces without our workaround and asserts the problem
is still there. When one fails, upstream has fixed it: delete the workaround and its canary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_tools.project import mkdocs_build, settings


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory) -> Path:
    """The site built with the workarounds switched off."""
    site = tmp_path_factory.mktemp("bare-site")
    mkdocs_build(site, strict=False, env={"TUTORIAL_WITHOUT_WORKAROUNDS": "1"})
    return site


def test_i18n_still_writes_one_sitemap_at_the_root(bare_site: Path) -> None:
    assert (bare_site / "sitemap.xml").is_file()
    assert not (bare_site / "zh" / "sitemap.xml").is_file(), (
        "mkdocs-static-i18n now writes zh/sitemap.xml: delete workaround 1"
    )


def test_i18n_still_writes_relative_hreflang_links(bare_site: Path) -> None:
    page = (bare_site / "zh/layers/pooling/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<link rel="alternate" href="([^"]*)" hreflang="en">', page)
    assert links == ["../../../layers/pooling/"], (
        f"hreflang links are {links}: if they are absolute now, delete workaround 2"
    )


def test_material_still_fetches_a_sitemap_beside_each_alternate(bare_site: Path) -> None:
    [bundle] = (bare_site / "assets/javascripts").glob("bundle.*.min.js")
    script = bundle.read_text(encoding="utf-8")
    assert 'M("link[rel=alternate]")' in script and 'new URL("sitemap.xml",e)' in script, (
        "Material's script no longer fetches sitemap.xml beside each alternate link: "
        "the per-page sitemaps of workaround 2 may be unneeded"
    )


def test_with_the_workarounds_the_site_has_what_the_theme_asks_for(built_site: Path) -> None:
    assert (built_site / "zh" / "sitemap.xml").is_file()
    page = (built_site / "zh/layers/pooling/index.html").read_text(encoding="utf-8")
    links = dict(
        reversed(pair)
        for pair in re.findall(r'<link rel="alternate" href="([^"]*)" hreflang="([\w-]+)">', page)
    )
    site_url = settings()["site_url"]
    assert links == {"en": f"{site_url}layers/pooling/", "zh": f"{site_url}zh/layers/pooling/"}
    for href in links.values():
        beside = built_site / href[len(site_url) :] / "sitemap.xml"
        assert beside.is_file() and f"<loc>{href}</loc>" in beside.read_text(encoding="utf-8")


def test_material_still_writes_an_empty_tabindex(bare_site: Path) -> None:
    html = (bare_site / "index.html").read_text(encoding="utf-8")
    assert 'tabindex=""' in html, "Material fixed it: drop workaround 3"


def test_with_the_workarounds_no_label_has_an_empty_tabindex(built_site: Path) -> None:
    assert all('tabindex=""' not in page.read_text() for page in built_site.rglob("*.html"))


def test_i18n_still_stacks_every_language_into_one_search_index(bare_site: Path) -> None:
    index = json.loads((bare_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("/", 1)[0] for doc in index["docs"]}
    assert "zh" in locations and not (bare_site / "zh" / "search").exists(), "drop workaround 4"


def test_with_the_workarounds_each_language_searches_its_own_index(built_site: Path) -> None:
    root = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    chinese = json.loads((built_site / "zh/search/search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in root["docs"] if doc["location"].startswith("zh/")]
    assert chinese["docs"] and not [d for d in chinese["docs"] if d["location"].startswith("zh/")]
    page = (built_site / "zh/layers/pooling/index.html").read_text(encoding="utf-8")
    assert '"base": "../.."' in page  # the zh folder, where its index is


# Two pages whose titles share their first word, as jieba splits them in the index.
TWO_PAGES = {
    "config": {
        "lang": ["en"],
        "separator": r"[\s\u200b\-]+",
        "pipeline": [],
        "fields": {"title": {"boost": 1000}, "text": {"boost": 1}},
    },
    "docs": [
        {"location": "regression/", "title": "线性\u200b回归", "text": ""},
        {"location": "layer/", "title": "线性\u200b层", "text": ""},
    ],
}


def _matched_for_regression(site: Path, require) -> dict[str, bool]:
    from site_tools import search_worker

    require(search_worker.node() is not None, "Node is missing: install nodejs")
    (worker,) = (site / "assets" / "javascripts" / "workers").glob("search.*.min.js")
    pages = search_worker.query(worker, TWO_PAGES, "线性回归")
    return next(terms for page in pages for place, terms in page if place == "regression/")


def test_material_still_drops_the_last_word_of_a_chinese_query(bare_site: Path, require) -> None:
    matched = _matched_for_regression(bare_site, require)
    assert "回归" not in matched, (
        f"Material now searches the query's last word: drop workaround 5 ({matched})"
    )


def test_with_the_workarounds_a_chinese_query_keeps_its_last_word(
    built_site: Path, require
) -> None:
    assert _matched_for_regression(built_site, require).get("回归") is True


def test_i18n_still_writes_the_last_language_404_at_the_root(bare_site: Path) -> None:
    page = (bare_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in page, "i18n writes the default language's 404: drop workaround 6"


def test_with_the_workarounds_each_language_has_its_404_page(built_site: Path) -> None:
    assert '<html lang="en"' in (built_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in (built_site / "zh/404.html").read_text(encoding="utf-8")


def test_i18n_still_publishes_a_notebook_page_as_raw_json(bare_site: Path) -> None:
    page = bare_site / "programs/lenet/index.html"
    assert page.read_text(encoding="utf-8").lstrip().startswith("{"), (
        "mkdocs-static-i18n now keeps mkdocs-jupyter's pages: delete workaround 7"
    )


def test_with_the_workarounds_a_notebook_is_a_page_in_each_language(built_site: Path) -> None:
    for folder in ("", "zh/"):
        page = (built_site / folder / "programs/lenet/index.html").read_text(encoding="utf-8")
        assert page.lstrip().lower().startswith("<!doctype html>"), folder
        assert 'class="jupyter-wrapper"' in page
