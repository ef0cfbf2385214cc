"""Each chapter's whole program runs on its own (site_tools/programs.py).

It is run as a reader would run the downloaded file: `python3 <example>.py --quick` in an empty
folder, with the project unimportable, so that anything it still took from the project fails.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from site_tools import programs, project

CHAPTERS = [chapter.example for chapter in project.chapters()]


@pytest.mark.parametrize("quick", [True, False], ids=["quick", "full"])
@pytest.mark.parametrize("example", CHAPTERS)
def test_the_program_runs_alone(example, quick) -> None:
    """As a reader runs the downloaded file: `python3 <example>.py [--quick]` in an empty folder,
    the project unimportable. The full run is the one its page shows (cached: the build ran it)."""
    record = programs.run(example, quick=quick)
    command = programs.command(example, quick=quick)
    assert record["returncode"] == 0, f"{command} failed:\n{record['stderr']}"
    assert record["stdout"].strip(), f"{command} printed nothing"
    assert not record["wrote_docs"], f"{command} wrote into a docs/ folder"
    assert record["machine"]["threads"] >= 1, "the run did not say where it ran"


def test_a_failing_program_is_reported_and_never_cached(tmp_path) -> None:
    record = programs.execute("import sys\nprint('half')\nsys.exit('broken')\n", "bad.py", [])
    assert record["returncode"] == 1 and "broken" in record["stderr"]
    assert record["stdout"] == "half\n"
    blocked = programs.execute("import examples.common\n", "imports.py", [])
    assert "No module named 'examples'" in blocked["stderr"], "the project was importable"


@pytest.mark.parametrize("example", CHAPTERS)
def test_the_program_needs_only_published_packages(example) -> None:
    tree = ast.parse(programs.source(example))
    allowed = {"torch", "torchvision", "matplotlib", "PIL", "numpy"}
    optional = {  # imports inside `try: ... except ImportError:`, which the program runs without
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        and any(ast.unparse(h.type or ast.Name("")) == "ImportError" for h in node.handlers)
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[]))
    }
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        names = (
            [alias.name for alias in node.names] if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        )  # fmt: skip
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in allowed, f"{example}.py imports {name}"
    title = next(c for c in project.chapters() if c.example == example).title("en")
    assert ast.get_docstring(tree).startswith(f"{title}: the whole program"), example


def test_colab_opens_the_notebook_where_the_deploy_workflow_publishes_it(tmp_path) -> None:
    """The link and the workflow follow one rule: `programs.published_path` on COLAB_BRANCH."""
    workflow = yaml.safe_load((project.ROOT / ".github/workflows/deploy.yml").read_text("utf-8"))
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    publish = next(step for step in steps if "site_tools.programs --publish" in step)
    folder = re.search(r"--publish (\S+)", publish).group(1)
    assert f"git push --force origin HEAD:{programs.COLAB_BRANCH}" in publish
    assert f"cd {folder}" in publish, "the workflow pushes another folder than it laid out"
    for chapter in project.chapters()[:1]:
        target = tmp_path / "published"
        notebook = chapter.notebook("en")
        if not notebook.is_file():
            pytest.skip("no built notebooks: run `nox -s docs` first")
        programs.publish(target, languages=("en",))
        path = programs.published_path("en", chapter.example)
        assert (target / path).read_bytes() == notebook.read_bytes()
        owner_and_name = project.REPOSITORY.removeprefix("https://github.com/")
        assert programs.colab_url("en", chapter.example) == (
            f"https://colab.research.google.com/github/{owner_and_name}/blob/"
            f"{programs.COLAB_BRANCH}/{path}"
        )


def test_the_build_writes_what_source_makes(tmp_path) -> None:
    example = CHAPTERS[0]
    programs.write(example)
    assert programs.path(example).read_text(encoding="utf-8") == programs.source(example)
    assert programs.write(example) is False, "an unchanged program was written again"


def _folder(language: str) -> str:
    return "" if language == project.default_language() else f"{language}/"


def _article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


@pytest.mark.parametrize("language", project.LANGUAGES)
def test_each_program_page_has_its_downloads_and_links_its_chapter_both_ways(
    built_site: Path, language: str
) -> None:
    root = built_site / _folder(language)
    for chapter in project.chapters():
        example, folder = chapter.example, root / "programs" / chapter.example
        article = _article((folder / "index.html").read_text(encoding="utf-8"))
        links = re.findall(r'href="([^"#]+)"', article)

        def target(suffix: str, links=links, folder=folder) -> Path:
            found = [link for link in links if link.endswith(suffix) and "://" not in link]
            assert found, f"{folder}: no link to {suffix}"
            return (folder / found[0]).resolve()

        program = target(f"/{example}.py").read_text(encoding="utf-8")
        assert program == programs.source(example)
        assert target(f"notebooks/{example}.ipynb") == (root / "notebooks" / f"{example}.ipynb")
        assert target(f"notebooks/{example}.ipynb").is_file()
        assert programs.colab_url(language, example) in links
        chapter_page = root / chapter.source.removesuffix(".md")
        assert target(chapter.source.removesuffix(".md") + "/") == chapter_page
        chapter_links = re.findall(r'href="([^"#]+)"', (chapter_page / "index.html").read_text())
        assert any((chapter_page / link).resolve() == folder for link in chapter_links), (
            f"{chapter.page(language)} does not link to its program page"
        )
        # The program, whole, in the theme's code block; what it printed, below it.
        assert '<div class="highlight"><pre><span></span><code>' in article
        assert "def main(" in re.sub(r"<[^>]+>", "", article), "the program is not on its page"
        assert "jp-OutputArea-output" in article, "what the program printed is not on its page"
        assert "<style" not in article and "<script" not in article, "nbconvert's styles remain"
        assert "No description has been provided" not in article, "a figure without its text"


@pytest.mark.parametrize("language", project.LANGUAGES)
def test_program_pages_are_searched_in_their_language_below_the_chapters(
    built_site: Path, language: str
) -> None:
    index = json.loads((built_site / _folder(language) / "search/search_index.json").read_text())
    pages = {doc["location"]: doc for doc in index["docs"] if "#" not in doc["location"]}
    for chapter in project.chapters():
        program = pages[f"programs/{chapter.example}/"]
        assert chapter.title(language) in program["title"].replace("\u200b", "")  # jieba's cuts
        assert program.get("boost", 1) < pages[chapter.source.removesuffix(".md") + "/"].get(
            "boost", 1
        )


def test_the_programs_index_lists_every_program(built_site: Path) -> None:
    for language in project.LANGUAGES:
        html = (built_site / _folder(language) / "programs/index.html").read_text("utf-8")
        for chapter in project.chapters():
            assert f'href="{chapter.example}/"' in html, f"{language}: {chapter.example} missing"
