"""Each chapter's whole program runs on its own (site_tools/programs.py).

It is run as a reader would run the downloaded file: `python3 <example>.py --quick` in an empty
folder, with the project unimportable, so that anything it still took from the project fails.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from site_tools import programs, project

CHAPTERS = [chapter.example for chapter in project.chapters()]
# Runs the file as __main__ with the project's packages blocked, as on a reader's machine.
ISOLATED = """
import importlib.abc, runpy, sys
class NoProject(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("examples", "site_tools"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoProject())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("example", CHAPTERS)
def test_the_program_runs_alone(example, tmp_path) -> None:
    script = tmp_path / f"{example}.py"
    script.write_text(programs.source(example), encoding="utf-8")
    flags = ["--quick", "--device", "cpu"]
    if '"--make-data"' in script.read_text():  # a program that can make its own data does
        flags.append("--make-data")
    run = subprocess.run(
        [sys.executable, "-c", ISOLATED, script.name, *flags],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, f"{example}.py {' '.join(flags)} failed:\n{run.stderr[-3000:]}"
    assert run.stdout.strip(), f"{example}.py printed nothing"
    assert not (tmp_path / "docs").exists(), f"{example}.py wrote into a docs/ folder"


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


def test_the_build_writes_what_source_makes(tmp_path) -> None:
    example = CHAPTERS[0]
    programs.write(example)
    assert programs.path(example).read_text(encoding="utf-8") == programs.source(example)
    assert programs.write(example) is False, "an unchanged program was written again"
