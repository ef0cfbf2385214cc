"""What the project is made of: its root, its languages and its chapters. Every tool asks here.

A chapter is an example module ``examples/<example>.py`` with a page in each language,
``docs/<language>/<part>/<example with - for _>.md`` (front matter ``example: <example>``),
a test module ``tests/test_<example>.py``, the figures its ``FIGURES`` names, and a notebook per
language made from the page. The languages and the reading order come from mkdocs.yml.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from examples.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"
HELPERS = ("common", "paths", "photo", "banknote_data")  # modules that are not chapters
# Where the project lives; the home pages' clone line, the README and mkdocs.yml's edit links
# all name it (tests/test_home_steps.py checks that they agree).
REPOSITORY = "https://github.com/pytorch-models-tutorial/pytorch-models"
# The public site, where the deploy workflow publishes it (GitHub Pages of REPOSITORY). Every
# artefact links there: pages, notebooks, offline copies, PDFs. mkdocs.yml's site_url defaults
# to it (tests/test_project.py checks they agree); only a build for loopback names loopback.
SITE_URL = "https://pytorch-models-tutorial.github.io/pytorch-models/"
# For `nox -s serve` and the benchmarks: the same path, on this machine.
LOOPBACK_SITE_URL = "http://127.0.0.1:8000/pytorch-models/"


class _SettingsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for its plain settings; MkDocs' own tags are read as nothing."""


def _environment(loader, node):
    """``!ENV [NAME, default]`` as MkDocs reads it: the variable if set, else the default."""
    values = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [loader.construct_scalar(node)]
    )
    return os.environ.get(values[0], values[1] if len(values) > 1 else None)


_SettingsLoader.add_constructor("!ENV", _environment)
_SettingsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_SettingsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, s, n: None)


@cache
def settings(root: Path = ROOT) -> dict:
    """mkdocs.yml as data (``!ENV`` and other tags read as None)."""
    return yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), _SettingsLoader)


def _i18n(root: Path = ROOT) -> dict:
    return next(
        plugin["i18n"]
        for plugin in settings(root)["plugins"]
        if isinstance(plugin, dict) and "i18n" in plugin
    )


def languages(root: Path = ROOT) -> tuple[str, ...]:
    """The site's languages, default first, as mkdocs.yml lists them."""
    return tuple(entry["locale"] for entry in _i18n(root)["languages"])


def default_language(root: Path = ROOT) -> str:
    return next(entry["locale"] for entry in _i18n(root)["languages"] if entry.get("default"))


LANGUAGES = languages()
# How every chapter ends, in each language: a summary, then exercises with collapsed solutions.
LESSON_WORDS = {
    "en": {"summary": "Summary", "exercises": "Exercises", "solution": "Solution"},
    "zh": {"summary": "小结", "exercises": "练习", "solution": "答案"},
}


def page_stem(example: str) -> str:
    """The rule for page names: the example's name with hyphens."""
    return example.replace("_", "-")


def nav_pages(root: Path = ROOT) -> list[str]:
    """Every page of the navigation, in reading order, as paths inside a language's tree."""

    def walk(items):
        for item in items:
            for value in item.values() if isinstance(item, dict) else [item]:
                if isinstance(value, list):
                    yield from walk(value)
                elif isinstance(value, str) and value.endswith(".md"):
                    yield value

    return list(walk(settings(root)["nav"]))


class BuildError(RuntimeError):
    """A failed site build; the message starts with its WARNING and ERROR lines."""


def mkdocs_build(
    site_dir: Path, *, strict: bool = True, env: dict | None = None, root: Path = ROOT
) -> None:
    """Build the site into ``site_dir`` in a subprocess; fail with the problems named first."""
    variables = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)]
    result = subprocess.run(
        command + (["--strict"] if strict else []),
        cwd=root,
        env=variables,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        problems = [
            line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))
        ]
        raise BuildError(
            "mkdocs build failed:\n"
            + "\n".join(problems or ["(no WARNING or ERROR line)"])
            + "\n--- the end of the log ---\n"
            + result.stderr[-3000:]
        )


FRONT_EXAMPLE = re.compile(r"\A---\n(?:.*\n)*?example:\s*(\w+)\s*\n(?:.*\n)*?---\n")


@dataclass(frozen=True)
class Chapter:
    example: str
    source: str  # the page's path inside each language's tree, e.g. models/lenet.md
    root: Path = ROOT

    def page(self, language: str) -> Path:
        return self.root / "docs" / language / self.source

    def notebook(self, language: str) -> Path:
        return self.root / "docs" / language / "notebooks" / f"{self.example}.ipynb"

    @property
    def module(self) -> Path:
        return self.root / "examples" / f"{self.example}.py"

    @property
    def test_module(self) -> Path:
        return self.root / "tests" / f"test_{self.example}.py"

    @property
    def figures(self) -> tuple[str, ...]:
        tree = ast.parse(self.module.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "FIGURES" for t in node.targets
            ):
                return tuple(ast.literal_eval(node.value))
        return ()

    def front_matter(self, language: str) -> dict:
        text = self.page(language).read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            return {}
        return yaml.safe_load(text[4 : text.index("\n---\n", 4)]) or {}

    def title(self, language: str) -> str:
        found = re.search(r"^# (.+)$", self.page(language).read_text(encoding="utf-8"), re.M)
        return found.group(1).strip() if found else self.source


def chapters(root: Path = ROOT) -> list[Chapter]:
    """The chapters in reading order: navigation pages whose front matter names an example."""
    found = []
    for source in nav_pages(root):
        page = root / "docs" / default_language(root) / source
        match = FRONT_EXAMPLE.match(page.read_text(encoding="utf-8")) if page.is_file() else None
        if match:
            found.append(Chapter(match.group(1), source, root))
    return found
