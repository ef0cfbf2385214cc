"""Each chapter as a Jupyter notebook in its own language, executed where the project is absent.

The notebook is made from the page: its prose becomes Markdown cells, its code blocks code
cells (includes expanded, so the code is exactly what the page shows), its figures images
attached to the Markdown. What the page imports from ``examples`` is inlined (see
``site_tools.bundle``), so the notebook needs nothing but published packages.

Every notebook is executed by a Jupyter kernel started in an empty temporary folder, with the
project's packages made unimportable. The outputs are cached under ``.cache/notebooks/`` by a
hash of the code cells and the package versions: both languages share one run, and a chapter
whose code did not change is not executed again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import nbformat

from site_tools import cjk, project
from site_tools.bundle import Bundler
from site_tools.fences import RUNNABLE, TITLE, Fence, Prose, read_page
from site_tools.figures import build_date
from site_tools.project import DOCS
from site_tools.project import ROOT as PROJECT_ROOT

CACHE = PROJECT_ROOT / ".cache" / "notebooks"
CACHE_FORMAT = 1  # bump when the way notebooks are executed changes
FOLDER = "notebooks"
PACKAGES = ("torch", "torchvision", "matplotlib")
# Importable in the notebook: the standard library, these packages and what they depend on.
ALLOWED_IMPORTS = {"torch", "torchvision", "matplotlib", "PIL", "numpy", "IPython"}
PROJECT_PACKAGES = ("examples", "site_tools")
KERNEL = "tutorial-isolated"
CELL_TIMEOUT = 900  # seconds; the pipeline's training is the longest cell

TEXT = {
    "en": {
        "intro": (
            "*This notebook is the chapter [{title}]({url}) of the tutorial "
            "[{site}]({home}), with the outputs of a real run.* "
            "It runs top to bottom in any folder, with Python 3.11 or later and:\n\n"
            "```bash\npip install {packages}\n```\n\n"
            "Files it makes (data, weights) go into the folder it runs in. "
            "The outputs below were produced with torch {torch} on CPU, {date}."
        ),
        "helpers": (
            "The next cell holds the code this page imports from the project "
            "({modules}), copied here so that the notebook runs on its own."
        ),
        "excerpt": "Excerpt of {where}, not run here:",
    },
    "zh": {
        "intro": (
            "*本笔记本就是教程[{site}]({home})中的[{title}]({url})一章，"
            "并附有一次真实运行的输出。*"
            "在任何文件夹中都可以从头到尾运行它，需要 Python 3.11 或更新版本，以及：\n\n"
            "```bash\npip install {packages}\n```\n\n"
            "它生成的文件（数据、权重）写在运行它的文件夹中。"
            "下面的输出由 torch {torch} 在 CPU 上生成，日期 {date}。"
        ),
        "helpers": "下一个单元格是本页从项目中导入的代码（{modules}），复制到这里，笔记本才能独立运行。",
        "excerpt": "{where} 的片段，这里不运行：",
    },
}

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)(?:\{[^}]*\})?")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
SITE_NAME = {"en": "PyTorch Models, Step by Step", "zh": "PyTorch 模型，一步一步"}


RUN_DATE = "<run date>"


class NotebookError(RuntimeError):
    """A notebook that cannot be made or that fails to run; the message names it and the cell."""


@dataclass
class Chapter:
    language: str
    page: Path  # docs/<language>/....md
    example: str
    title: str

    @property
    def relative(self) -> PurePosixPath:
        return PurePosixPath(self.page.relative_to(DOCS / self.language).as_posix())

    @property
    def label(self) -> str:
        return f"{self.language}/{FOLDER}/{self.example}.ipynb"

    @property
    def target(self) -> Path:
        return DOCS / self.language / FOLDER / f"{self.example}.ipynb"


def chapters(language: str) -> list[Chapter]:
    """The chapters of one language, in reading order (see site_tools/project.py)."""
    return [
        Chapter(language, chapter.page(language), chapter.example, chapter.title(language))
        for chapter in project.chapters()
    ]


def page_url(site_url: str, language: str, default: str, relative: str) -> str:
    """The address of a page of the site, from its path inside one language's tree."""
    path = re.sub(r"(^|/)index\.md$", r"\1", relative)
    path = re.sub(r"\.md$", "/", path)
    prefix = "" if language == default else f"{language}/"
    return site_url.rstrip("/") + "/" + prefix + path


def _markdown(
    text: str, chapter: Chapter, site_url: str, default: str, quoted: bool = False
) -> tuple[str, dict[str, dict[str, str]]]:
    """Page Markdown as Jupyter reads it: links absolute, figures attached, admonitions quoted."""
    attachments: dict[str, dict[str, str]] = {}

    def image(match: re.Match) -> str:
        source = (chapter.page.parent / match.group("src")).resolve()
        if not source.is_file():
            raise NotebookError(
                f"{chapter.page}: figure {match.group('src')} is missing; run `nox -s figures`"
            )
        kind = "image/svg+xml" if source.suffix == ".svg" else "image/png"
        data = source.read_bytes()
        payload = data.decode() if kind == "image/svg+xml" else base64.b64encode(data).decode()
        attachments[source.name] = {kind: payload}
        return f"![{match.group('alt')}](attachment:{source.name})"

    def link(match: re.Match) -> str:
        target = match.group("target")
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        joined = posixpath.normpath(posixpath.join(str(chapter.relative.parent), path))
        url = page_url(site_url, chapter.language, default, joined)
        return f"[{match.group('text')}]({url}{'#' + anchor if anchor else ''})"

    lines = []
    for line in COMMENT.sub("", text).splitlines():
        header = ADMONITION.match(line)
        if header:
            quoted = True
            lines.append(f"> **{header.group('title') or ''}**".rstrip())
            continue
        if quoted and (not line.strip() or line.startswith("    ")):
            lines.append(("> " + line[4:]).rstrip())
            continue
        if quoted and lines and lines[-1] == ">":
            lines[-1] = ""  # a blank line ends the quote; "> " would take the next paragraph in
        quoted = False
        lines.append(line)
    markdown = cjk.join_lines("\n".join(lines).strip())
    markdown = IMAGE.sub(image, LINK.sub(link, markdown))
    return markdown, attachments


def _fence_as_markdown(fence: Fence, language: str) -> str:
    label = ""
    title = TITLE.search(fence.info)
    if fence.language in RUNNABLE:
        where = title.group(1) if title else "the example"
        label = f"*{TEXT[language]['excerpt'].format(where=where)}*\n\n"
    return f"{label}```{fence.language}\n{fence.code.rstrip()}\n```"


@dataclass
class Source:
    """Where a code cell comes from, for error messages."""

    cell: int
    origin: str


def make(chapter: Chapter, site_url: str, default: str) -> tuple[nbformat.NotebookNode, list]:
    """The notebook of a chapter, not yet executed, and where each code cell comes from."""
    words = TEXT[chapter.language]
    bundler = Bundler(PROJECT_ROOT)
    cells: list[nbformat.NotebookNode] = []
    origins: list[Source] = []
    intro = words["intro"].format(
        title=chapter.title,
        url=page_url(site_url, chapter.language, default, chapter.relative.as_posix()),
        site=SITE_NAME[chapter.language],
        home=page_url(site_url, chapter.language, default, "index.md"),
        packages=" ".join(f"{name}=={version(name)}" for name in PACKAGES),
        torch=version("torch"),
        date=RUN_DATE,  # the day the outputs were made, filled in by executed()
    )
    cells.append(nbformat.v4.new_markdown_cell(intro))
    pending_prose: list[str] = []
    attachments: dict = {}

    def flush() -> None:
        if pending_prose:
            cell = nbformat.v4.new_markdown_cell("\n\n".join(pending_prose))
            if attachments:
                cell.attachments = dict(attachments)
            cells.append(cell)
            pending_prose.clear()
            attachments.clear()

    inside = False  # the previous block was a fence inside an admonition
    for block in read_page(chapter.page):
        if isinstance(block, Prose):
            # Prose that goes on inside the same admonition after a fence stays quoted.
            continued = inside and block.text.startswith("    ")
            text, found = _markdown(block.text, chapter, site_url, default, quoted=continued)
            inside = False
            if text:
                pending_prose.append(text)
                attachments.update(found)
            continue
        inside = bool(block.indent)
        if block.language not in RUNNABLE or block.skip_reason is not None:
            pending_prose.append(_fence_as_markdown(block, chapter.language))
            continue
        bundle = bundler.cell(block.code)
        if bundle.helpers:
            separator = "、" if chapter.language == "zh" else ", "
            modules = separator.join(f"`examples/{module}.py`" for module in bundle.modules)
            pending_prose.append(words["helpers"].format(modules=modules))
            flush()
            origins.append(Source(len(cells), f"{block.id} (inlined from {modules})"))
            cells.append(nbformat.v4.new_code_cell(bundle.helpers))
        flush()
        origins.append(Source(len(cells), block.id))
        cell = nbformat.v4.new_code_cell(bundle.code.rstrip("\n"))
        cell.metadata["expected_output"] = block.expected_output  # dropped before writing
        if block.indent:  # an exercise's solution: collapsed, as on the page
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        cells.append(cell)
    flush()
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # fixed ids: nbformat would pick random ones
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook, origins


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def cache_key(notebook) -> str:
    digest = hashlib.sha256()
    facts = {
        "format": CACHE_FORMAT,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "packages": {n: version(n) for n in (*PACKAGES, "numpy", "pillow", "ipykernel")},
        "code": [cell.source for cell in code_cells(notebook)],
    }
    digest.update(json.dumps(facts, sort_keys=True).encode())
    return digest.hexdigest()


BLOCK_PROJECT = f"""
import importlib.abc, sys
class NoProject(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {PROJECT_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, NoProject())
del NoProject
from ipykernel.kernelapp import launch_new_instance
launch_new_instance()
"""


def _kernel_environment(home: Path) -> dict[str, str]:
    """The variables of the kernel: ours, less those that point into the project."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TUTORIAL_", "PYTHON", "JUPYTER", "MPL"))
    }
    env["JUPYTER_PATH"] = str(home)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def run(notebook, label: str, origins: list[Source]) -> list[dict]:
    """Execute the notebook's code cells; return each one's outputs and execution count."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    home = Path(tempfile.mkdtemp(prefix="tutorial-kernel-"))
    folder = Path(tempfile.mkdtemp(prefix="tutorial-notebook-"))
    spec = home / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", BLOCK_PROJECT, "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "isolated", "language": "python"})
    )
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    env = _kernel_environment(home)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(home)  # where the client looks the kernel up
    try:
        client = NotebookClient(
            copy,
            timeout=CELL_TIMEOUT,
            kernel_name=KERNEL,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute(env=env, cwd=str(folder))
    except CellExecutionError as error:
        failing = next(
            (
                s
                for s in origins
                if copy.cells[s.cell].get("outputs")
                and any(o.get("output_type") == "error" for o in copy.cells[s.cell].outputs)
            ),
            None,
        )
        where = f"cell {failing.cell} (code from {failing.origin})" if failing else "a cell"
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # the kernel colours tracebacks
        raise NotebookError(f"{label}: {where} raised:\n{message}") from None
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return [
        {"outputs": cell.get("outputs", []), "execution_count": cell.get("execution_count")}
        for cell in code_cells(copy)
    ]


def executed(notebook, label: str, origins: list[Source], log=None):
    """Fill in the outputs of every code cell, from the cache or from a run."""
    key = cache_key(notebook)
    record = CACHE / f"{key}.json"
    if record.is_file():
        stored = json.loads(record.read_text(encoding="utf-8"))
        if isinstance(stored, list):  # a record from before the run date was kept
            modified = datetime.fromtimestamp(record.stat().st_mtime, UTC)
            stored = {"date": modified.date().isoformat(), "cells": stored}
    else:
        if log:
            log(f"Executing {label} (its code changed or was never run here)")
        stored = {"date": build_date(), "cells": run(notebook, label, origins)}
        CACHE.mkdir(parents=True, exist_ok=True)
        temporary = record.with_name(f"{record.name}.{os.getpid()}.partial")
        temporary.write_text(json.dumps(stored), encoding="utf-8")
        temporary.replace(record)
    # The date belongs to the run, not to the build: a rebuild on another day changes nothing.
    notebook.cells[0].source = notebook.cells[0].source.replace(RUN_DATE, stored["date"])
    for cell, result in zip(code_cells(notebook), stored["cells"], strict=True):
        cell.outputs = [nbformat.from_dict(output) for output in result["outputs"]]
        cell.execution_count = result["execution_count"]
    return notebook


def build(chapter: Chapter, site_url: str, default: str, log=None):
    """The finished notebook of a chapter: made from the page, executed, outputs stored."""
    notebook, origins = make(chapter, site_url, default)
    executed(notebook, chapter.label, origins, log)
    return notebook, origins


def as_text(notebook) -> str:
    """The notebook file's text, byte for byte the same for the same inputs."""
    clean = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in code_cells(clean):
        cell.metadata.pop("expected_output", None)
    nbformat.validate(clean)
    return nbformat.writes(clean) + "\n"


def write(chapter: Chapter, site_url: str, default: str, log=None) -> bool:
    """Write the chapter's notebook into docs/<language>/notebooks/ if it changed."""
    text = as_text(build(chapter, site_url, default, log)[0])
    target = chapter.target
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.partial")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return True


def main() -> int:
    """Write every chapter's notebook, running those whose code changed (`nox -s docs` does)."""
    from site_tools.project import default_language, languages, settings

    written = [
        chapter.label
        for language in languages()
        for chapter in chapters(language)
        if write(chapter, settings()["site_url"], default_language(), print)
    ]
    print(f"notebooks: {len(written)} written, the others unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
