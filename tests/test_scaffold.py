"""A freshly scaffolded chapter builds and passes the tests as it stands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from examples.paths import PROJECT_ROOT
from site_tools.scaffold import ScaffoldError, add_to_nav, scaffold

COPIED = [
    "docs",
    "examples",
    "tests",
    "snippets",
    "site_tools",
    "overrides",
    "mkdocs.yml",
    "pyproject.toml",
]


@pytest.fixture
def project(tmp_path):
    """A copy of the project that a test may add a chapter to."""
    for name in COPIED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name,
                            ignore=shutil.ignore_patterns("notebooks", "__pycache__"))  # fmt: skip
        else:
            shutil.copy(source, tmp_path / name)
    if (PROJECT_ROOT / "node_modules").is_dir():  # what `npm ci` installs: the math font
        (tmp_path / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    runs = PROJECT_ROOT / ".cache" / "notebooks"  # the same code gives the same outputs
    if runs.is_dir():
        shutil.copytree(runs, tmp_path / ".cache" / "notebooks")
    return tmp_path


def test_scaffolded_chapter_builds_and_passes(project) -> None:
    written = scaffold("demo_chapter", "Models", "Demo chapter", "示例章节", root=project)
    assert {path.name for path in written} >= {
        "demo_chapter.py",
        "test_demo_chapter.py",
        "demo-chapter.md",
    }
    # The copy's own examples package must win over the installed one.
    env = {**os.environ, "PYTHONPATH": str(project), "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "site")],
                           cwd=project, capture_output=True, text=True, env=env)  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    assert (project / "site/zh/models/demo-chapter/index.html").is_file()
    assert (project / "site/notebooks/demo_chapter.ipynb").is_file()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_demo_chapter.py", "tests/test_parity.py", "tests/test_fence_rules.py",
         "tests/test_glossary.py", "tests/test_notebooks.py", "tests/test_lessons.py",
         "tests/test_prose_numbers.py", "-k", "demo or parity or trees"],
        cwd=project, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "passed" in tests.stdout and "failed" not in tests.stdout


def test_existing_files_are_never_overwritten(project) -> None:
    with pytest.raises(ScaffoldError, match="examples/linear_regression.py"):
        scaffold("linear_regression", "Models", "Again", "再来", root=project)


def test_a_new_part_needs_its_chinese_name(project) -> None:
    config = (project / "mkdocs.yml").read_text()
    with pytest.raises(ScaffoldError, match="--part-zh"):
        add_to_nav(config, "Training", None, "training", "loop", "loop", "Loops", "循环")
    updated = add_to_nav(config, "Training", "训练", "training", "loop", "loop", "Loops", "循环")
    assert "  - Training:\n      - Loops: training/loop.md\n  - The programs:" in updated
    assert "            Training: 训练\n            Loops: 循环\n          theme:" in updated
    assert (
        add_to_nav(config, "Training", "训练", "t", "s", "s", "Step: one", "一步").count(
            '"Step: one"'
        )
        == 2
    ), "a title with a colon stays quoted, in the nav and in its translation"


def test_a_broken_link_is_named_first(project) -> None:
    from site_tools.project import BuildError, mkdocs_build

    page = project / "docs" / "en" / "recipe.md"
    page.write_text(page.read_text() + "\nSee [nowhere](no-such-page.md).\n")
    with pytest.raises(BuildError) as raised:
        mkdocs_build(project / "site", root=project, env={"PYTHONPATH": str(project)})
    first_lines = str(raised.value).splitlines()[1:3]
    assert any("recipe.md" in line and "no-such-page.md" in line for line in first_lines), (
        first_lines
    )
