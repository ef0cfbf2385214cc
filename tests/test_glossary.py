"""Every page keeps to the glossary's one translation per term."""

from __future__ import annotations

import pytest

from site_tools.fences import DOCS, pages
from site_tools.glossary import terms, violations


def test_glossary_rows_are_well_formed() -> None:
    rows = terms()
    assert len(rows) > 40
    assert len({row.chinese for row in rows}) == len(rows), "a Chinese term appears twice"


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.relative_to(DOCS).as_posix())
def test_page_uses_the_glossary_terms(page) -> None:
    language = page.relative_to(DOCS).parts[0]
    if page.name == "glossary.md":
        pytest.skip("the glossary page lists the other forms on purpose")
    problems = violations(page, language)
    assert not problems, "\n".join(problems)


def test_an_avoided_form_is_caught_and_named(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# 标题\n\n权重初始化很重要。\n\n```python\n# 反卷积 in code is fine\n```\n")
    [problem] = violations(page, "zh")
    assert ":3: '权重初始化' is not this tutorial's term; the glossary uses '权值初始化'" in problem


def test_naming_the_other_form_beside_ours_is_allowed(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("转置卷积（有时被称为反卷积，但它不是逆运算）\n")
    assert violations(page, "zh") == []
    english = tmp_path / "en.md"
    english.write_text("Some call it deconvolution.\n")
    assert "deconvolution" in violations(english, "en")[0]


def test_a_term_that_contains_an_avoided_form_is_not_a_use_of_it(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("批量归一化之后，每个批次的均值为 0。\n\n一个批量的图片。\n")
    [problem] = violations(page, "zh")
    assert ":3: '批量' is not this tutorial's term; the glossary uses '批次'" in problem


def test_the_glossary_gives_one_form_per_cell() -> None:
    """Two terms are two rows (the shared glossary's rule), except an English name with its
    abbreviation or two names of one thing (backpropagation / backward pass)."""
    chinese = [row.chinese for row in terms()]
    assert not [name for name in chinese if "/" in name], "split these into rows"
    assert {"层", "网络层", "线性层", "轮", "批次"} <= set(chinese)
