"""The Chinese and English trees say the same thing: pages, sections, code and figures."""

from __future__ import annotations

import shutil

import pytest

from site_tools import parity
from site_tools.fences import DOCS


def test_trees_agree() -> None:
    problems = parity.differences()
    assert not problems, "\n".join(problems)


@pytest.fixture
def scratch_docs(tmp_path, monkeypatch):
    """A copy of docs/ that a test may break."""
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy, ignore=shutil.ignore_patterns("figures", "notebooks"))
    monkeypatch.setattr(parity, "DOCS", copy)
    return copy


def test_a_missing_chinese_page_is_named(scratch_docs) -> None:
    (scratch_docs / "zh" / "recipe.md").unlink()
    assert "docs/zh/recipe.md is missing (docs/en/recipe.md exists)" in parity.differences()


def test_a_changed_line_of_code_names_page_and_section(scratch_docs) -> None:
    page = scratch_docs / "zh" / "models" / "linear-regression.md"
    page.write_text(
        page.read_text().replace('"--stop-at-threshold"', '"--stop-at-threshold", "--seed", "1"')
    )
    [problem] = parity.differences()
    assert problem.startswith("models/linear-regression.md: fence #")
    assert "section '何时停止'" in problem and "section 'When to stop'" in problem


def test_a_missing_section_is_named(scratch_docs) -> None:
    page = scratch_docs / "zh" / "models" / "linear-regression.md"
    page.write_text(page.read_text().replace("## 学习率过大\n", ""))
    problems = parity.differences()
    assert any(p.startswith("models/linear-regression.md: heading #") for p in problems), problems


def test_a_different_figure_is_named(scratch_docs) -> None:
    page = scratch_docs / "en" / "models" / "linear-regression.md"
    page.write_text(page.read_text().replace("fit.en.svg", "fit-old.en.svg"))
    problems = parity.differences()
    assert any("figure #1 differs" in p for p in problems), problems
