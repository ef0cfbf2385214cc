"""The translation status report: every page, agreement, and which side changed last."""

from __future__ import annotations

from site_tools import translations
from site_tools.translations import Status, as_markdown


def test_report_lists_every_page_and_they_agree() -> None:
    statuses = translations.report()
    pages = {status.page for status in statuses}
    assert {"index.md", "recipe.md", "models/linear-regression.md"} <= pages
    assert all(not status.missing and not status.problems for status in statuses)


def test_newer_side_is_named() -> None:
    status = Status("x.md", [], [], {"en": 100, "zh": 200})
    assert status.newer == "zh"
    assert "zh is newer" in as_markdown([status], "en")
    assert "zh 较新" in as_markdown([status], "zh")
    assert Status("x.md", [], [], {"en": 5, "zh": 5}).newer is None


def test_missing_and_differing_pages_show() -> None:
    table = as_markdown(
        [
            Status("a.md", ["zh"], [], {"en": 1, "zh": None}),
            Status("b.md", [], ["x"], {"en": 1, "zh": 1}),
        ],
        "en",
    )
    assert "| `a.md` | missing in zh |" in table
    assert "| `b.md` | differ |" in table


def test_site_page_shows_the_table(built_site) -> None:
    page = (built_site / "zh/translations/index.html").read_text(encoding="utf-8")
    assert "<table>" in page and "models/linear-regression.md" in page
