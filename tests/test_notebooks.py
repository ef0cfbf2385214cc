"""Every chapter's notebook runs alone, in an empty folder, and prints what its page shows.

The notebook holds the page's code in the page's order, so running it top to bottom is also the
test of every code block on the page: each block runs after the ones above it, as a reader who
copies the page runs it.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib.metadata import version

import nbformat
import pytest

from examples.paths import PROJECT_ROOT
from site_tools import notebooks
from site_tools.fences import LANGUAGES
from site_tools.project import SITE_URL

CHAPTERS = [chapter for language in LANGUAGES for chapter in notebooks.chapters(language)]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def built():
    """Each chapter's finished notebook, made once per test run (executions are cached)."""
    cache: dict = {}

    def get(chapter: notebooks.Chapter):
        if chapter.label not in cache:
            try:
                cache[chapter.label] = notebooks.build(chapter, SITE_URL, LANGUAGES[0])
            except notebooks.NotebookError as error:
                pytest.fail(str(error), pytrace=False)
        return cache[chapter.label]

    return get


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.label)
def test_notebook_says_where_its_outputs_come_from(built, chapter) -> None:
    """The outputs are a run on one machine; the first cell names it (each fence's output is
    checked against the page by the fence items, site_tools/codeblocks.py)."""
    notebook, _ = built(chapter)
    first = notebook.cells[0].source
    assert f"torch {version('torch')}" in first
    assert notebooks.RUN_MACHINE not in first and notebooks.RUN_DATE not in first
    assert re.search(r"(kernels|向量指令)", first), f"{chapter.label}: no processor named"
    assert re.search(r"\d+ (threads|个线程)", first), f"{chapter.label}: no thread count"


def test_the_run_records_its_machine() -> None:
    notebook = _tiny_notebook("print(6 * 7)")
    record = notebooks.run(notebook, "demo", [])
    assert record["failed"] is None and record["cells"][0]["outputs"][0]["text"] == "42\n"
    assert set(record["machine"]) == {"cpu", "capability", "threads"}
    assert record["machine"]["threads"] >= 1


def test_a_failed_run_names_the_cell_and_keeps_what_ran() -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('before')"), nbformat.v4.new_code_cell("1 / 0")]
    )
    record = notebooks.run(notebook, "demo", [notebooks.Source(1, "docs/en/demo.md:9")])
    assert record["failed"] == 1
    assert "demo: cell 1 (code from docs/en/demo.md:9) raised" in record["error"]
    assert "ZeroDivisionError" in record["error"]
    assert record["cells"][0]["outputs"][0]["text"] == "before\n"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.label)
def test_notebook_needs_only_published_packages(built, chapter) -> None:
    notebook, _ = built(chapter)
    text = notebooks.as_text(notebook)
    assert str(PROJECT_ROOT) not in text, f"{chapter.label} names a path of this machine"
    first = notebook.cells[0].source
    for package in notebooks.PACKAGES:
        assert re.search(rf"\b{package}==\d", first), f"{chapter.label}: first cell lacks {package}"
    for cell in notebooks.code_cells(notebook):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                tops = [(node.module or "").split(".")[0]]
            else:
                continue
            for top in tops:
                assert top in sys.stdlib_module_names or top in notebooks.ALLOWED_IMPORTS, (
                    f"{chapter.label} imports {top!r}, which its first cell does not name:\n"
                    f"{cell.source[:400]}"
                )
    assert nbformat.validate(nbformat.reads(text, as_version=4)) is None


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.label)
def test_notebook_is_the_chapter_in_its_language(built, chapter) -> None:
    notebook, _ = built(chapter)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    page = chapter.page.read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,3} (.+)$", page, re.MULTILINE)
    assert all(heading in prose for heading in headings), f"{chapter.label} lacks headings"
    assert bool(CJK.search(prose)) == (chapter.language == "zh")
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+\.(?:png|svg))\)", page)
    attached = {name for cell in notebook.cells for name in (cell.get("attachments") or {}).keys()}
    assert {figure.rsplit("/", 1)[-1] for figure in figures} == attached
    assert "expected-output" not in prose and "--8<--" not in prose


def test_both_languages_run_the_same_code(built) -> None:
    by_example: dict[str, set[str]] = {}
    for chapter in CHAPTERS:
        notebook, _ = built(chapter)
        by_example.setdefault(chapter.example, set()).add(notebooks.cache_key(notebook))
    assert all(len(keys) == 1 for keys in by_example.values()), by_example


def test_the_cache_key_follows_the_code_not_the_prose() -> None:
    chapter = CHAPTERS[0]
    notebook, _ = notebooks.make(chapter, SITE_URL, LANGUAGES[0])
    key = notebooks.cache_key(notebook)
    notebook.cells[0].source += "\nMore prose."
    assert notebooks.cache_key(notebook) == key
    notebooks.code_cells(notebook)[0].source += "\nx = 1"
    assert notebooks.cache_key(notebook) != key


def _tiny_notebook(code: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import examples.common", "No module named 'examples"),
        ("open('mkdocs.yml').read()", "No such file or directory: 'mkdocs.yml'"),
        ("import site_tools", "No module named 'site_tools'"),
    ],
)
def test_a_notebook_cannot_reach_the_project(code: str, message: str) -> None:
    origins = [notebooks.Source(0, "docs/en/demo.md:3")]
    record = notebooks.run(_tiny_notebook(code), "en/notebooks/demo.ipynb", origins)
    assert record["failed"] == 0
    text = record["error"]
    assert "en/notebooks/demo.ipynb: cell 0 (code from docs/en/demo.md:3)" in text
    assert message in text


def test_a_notebook_runs_where_it_is_written(tmp_path) -> None:
    record = notebooks.run(_tiny_notebook("import os; print(os.listdir('.'))"), "demo", [])
    assert record["cells"][0]["outputs"][0]["text"] == "[]\n", "the kernel's folder was not empty"
    assert json.dumps(record)  # what the cache stores is plain JSON
