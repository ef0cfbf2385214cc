"""The home page's "run it on your machine" steps work as written, in a new environment.

The test runs the exact lines of the home page's shell block in a copy of the project's tracked
files, with a new virtual environment. To stay offline and quick, that environment sees the
packages of the shared one (torch and the rest) through a path file, so pip finds them installed;
what it proves is that the lines themselves, `pip install -e .` and the example, work.
"""

from __future__ import annotations

import ast
import os
import re
import site
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from examples.paths import PROJECT_ROOT
from site_tools.fences import DOCS, LANGUAGES, page_fences

STEPS_REASON = "tests/test_home_steps.py"


def home_steps(language: str) -> list[str]:
    [fence] = [
        fence
        for fence in page_fences(DOCS / language / "index.md")
        if fence.language == "bash" and STEPS_REASON in (fence.skip_reason or "")
    ]
    return [line for line in fence.code.splitlines() if line.strip()]


def test_both_home_pages_show_the_same_steps() -> None:
    english, chinese = (home_steps(language) for language in LANGUAGES)
    assert english == chinese
    assert english[0] == "python3 -m pip install -e ."


def _declared() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = {}
    for requirement in project["project"]["dependencies"]:
        name, _, pin = re.match(r"([\w.-]+)\s*(==\s*(\S+))?", requirement).groups()
        found[name.lower()] = pin or ""
    return found


def test_pyproject_declares_what_the_examples_import() -> None:
    distributions = packages_distributions()
    declared = _declared()
    for path in sorted((PROJECT_ROOT / "examples").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                tops = [(node.module or "").split(".")[0]]
            else:
                continue
            for top in tops:
                if top in sys.stdlib_module_names or top in ("examples", "__future__"):
                    continue
                if top == "oxipng":  # optional: figures are saved without it
                    continue
                names = {name.lower() for name in distributions.get(top, [])}
                assert names & declared.keys(), (
                    f"{path.name} imports {top!r} (from {sorted(names)}), which pyproject.toml "
                    "does not list under [project] dependencies"
                )


def test_pyproject_pins_what_the_shared_environment_pins() -> None:
    pins = dict(
        line.split("==")
        for line in (PROJECT_ROOT / "requirements" / "site.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, pin in _declared().items():
        if pin:
            assert pins.get(name) == pin, f"{name}: pyproject {pin}, requirements {pins.get(name)}"


def test_a_missing_image_optimizer_only_makes_figures_larger(tmp_path, monkeypatch) -> None:
    import matplotlib.pyplot as plt

    from examples.common import save_figure

    monkeypatch.setitem(sys.modules, "oxipng", None)  # import oxipng now raises ImportError
    figure, axis = plt.subplots()
    axis.plot([0, 1], [1, 0])
    path = save_figure(figure, tmp_path / "line.png")
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.fixture
def fresh_environment(tmp_path: Path) -> Path:
    """A new virtual environment that sees the shared one's packages, and no project."""
    environment = tmp_path / "env"
    subprocess.run(
        [sys._base_executable, "-m", "venv", "--without-pip", str(environment)], check=True
    )
    [packages] = (environment / "lib").glob("python3.*/site-packages")
    packages.joinpath("shared-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return environment


def test_the_home_steps_run_in_a_new_environment(tmp_path: Path, fresh_environment) -> None:
    clone = tmp_path / "clone"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = PROJECT_ROOT / name
        if source.is_file():
            target = clone / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", "PYTHONPATH") and not name.startswith("TUTORIAL_")
    }
    env.update(
        PATH=f"{fresh_environment / 'bin'}{os.pathsep}{env['PATH']}",
        PIP_NO_INDEX="1",  # offline: everything it needs is already there
        PIP_NO_BUILD_ISOLATION="0",  # (sic) pip reads this as "build without isolation"
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    outputs = []
    for line in home_steps("en"):
        result = subprocess.run(
            ["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        outputs.append(result.stdout)
    assert "iterations: 1000" in outputs[-1]
    assert (clone / "docs/figures/linear_regression/fit.en.svg").is_file()
    installed = subprocess.run(
        ["python3", "-c", "import examples.common; print(examples.common.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(installed.stdout.strip()).is_relative_to(clone), installed.stdout
