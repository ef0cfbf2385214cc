"""The home page's "run it on your machine" steps work as written, from an empty folder.

The test runs the exact lines of the home page's shell block: clone, virtual environment,
install, example. To stay offline and quick, the clone comes from this repository and pip sees
the shared environment's packages (torch and the rest), so it finds them installed; what it
proves is that the lines themselves work, in order, as a reader types them.
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

from examples.paths import PROJECT_ROOT
from site_tools.fences import DOCS, LANGUAGES, page_fences
from site_tools.project import REPOSITORY, SITE_URL

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
    assert english[0] == f"git clone {REPOSITORY}.git"
    assert "python3 -m venv .venv" in english and "python3 -m pip install -e ." in english


def test_the_clone_address_is_the_same_everywhere() -> None:
    """One repository: the home pages clone it, the README too, and the edit links point there."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"git clone {REPOSITORY}.git\n" in readme
    edit = re.search(
        r'edit_uri: !ENV \[EDIT_URI, "([^"]+)"\]', (PROJECT_ROOT / "mkdocs.yml").read_text()
    )
    assert edit and edit.group(1).startswith(f"{REPOSITORY}/edit/"), edit


def test_the_site_is_published_where_the_repository_publishes_it() -> None:
    """site_url defaults to the public address: the GitHub Pages address of REPOSITORY."""
    owner, name = REPOSITORY.removeprefix("https://github.com/").split("/")
    assert f"https://{owner}.github.io/{name}/" == SITE_URL
    default = re.search(
        r'^site_url: !ENV \[SITE_URL, "([^"]+)"\]', (PROJECT_ROOT / "mkdocs.yml").read_text(), re.M
    )
    assert default and default.group(1) == SITE_URL, default
    deploy = (PROJECT_ROOT / ".github/workflows/deploy.yml").read_text(encoding="utf-8")
    assert "format('https://{0}.github.io/{1}/', github.repository_owner" in deploy


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


def test_the_home_steps_run_in_a_new_environment(tmp_path: Path) -> None:
    """The home page's lines, run as one shell script from an empty folder, offline.

    `git clone` reaches this repository through git's `insteadOf` (the address stays the one
    printed), and the new virtual environment sees the shared environment's packages through a
    path file, which a `python3` shim adds right after `python3 -m venv` makes it, so pip finds
    torch and the rest (setuptools, to build the project, too) installed and downloads nothing;
    the environment, the editable install and the example are real.
    """
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(PROJECT_ROOT), str(origin)], check=True)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
        and not name.startswith("TUTORIAL_")
    }
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3"
    shim.write_text(
        "#!/bin/sh\n"
        f'"{sys._base_executable}" "$@" || exit $?\n'
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  for packages in "$3"/lib/python3.*/site-packages; do\n'
        f"    printf '%s\\n' {' '.join(site.getsitepackages())} > \"$packages/shared-environment.pth\"\n"
        # Online, pip would fetch a current setuptools to build the project (build isolation);
        # offline, the shared environment's stands in for the old one venv bundles.
        '    rm -rf "$packages"/setuptools "$packages"/setuptools-*\n'
        "  done\n"
        "fi\n"
    )
    shim.chmod(0o755)
    env.update(
        PATH=f"{shims}{os.pathsep}{env['PATH']}",
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{origin.as_uri()}.insteadOf",
        GIT_CONFIG_VALUE_0=f"{REPOSITORY}.git",
        PIP_NO_INDEX="1",  # offline: everything it needs is already there
        PIP_NO_BUILD_ISOLATION="0",  # (sic) pip reads this as "build without isolation"
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    script = "set -e\n" + "\n".join(home_steps("en")) + "\n"
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, f"{script}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    assert "iterations: 1000" in result.stdout
    clone = tmp_path / "pytorch-models"
    assert (clone / "docs/figures/linear_regression/fit.en.svg").is_file()
    installed = subprocess.run(
        [str(clone / ".venv/bin/python"), "-c", "import examples.common; print(examples.common.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(installed.stdout.strip()).is_relative_to(clone), installed.stdout
