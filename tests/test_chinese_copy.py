"""The Chinese copy passes autocorrect (spacing between Chinese and Latin, full-width punctuation)."""

from __future__ import annotations

import pytest

from site_tools import lint_chinese
from site_tools.project import ROOT


@pytest.mark.parametrize("path", lint_chinese.files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_chinese_copy_is_clean(path) -> None:
    problems = lint_chinese.problems(path)
    assert not problems, "run `python -m site_tools.lint_chinese --fix`:\n" + "\n".join(problems)


def test_a_problem_names_file_line_and_the_fix(tmp_path, monkeypatch) -> None:
    page = tmp_path / "page.md"
    page.write_text("# 标题\n\n这是一个test测试,使用PyTorch版本.\n", encoding="utf-8")
    monkeypatch.setattr(lint_chinese, "ROOT", tmp_path)
    [problem] = lint_chinese.problems(page)
    assert problem.startswith("page.md:3:1: 这是一个test测试")
    assert problem.endswith("should read: 这是一个 test 测试，使用 PyTorch 版本。")
