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
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import nbformat

try:
    import fcntl
except ImportError:  # Windows: no lock; a parallel cold run may run a page's code twice
    fcntl = None

from site_tools import cjk, project
from site_tools.bundle import Bundler
from site_tools.fences import RUNNABLE, TITLE, Fence, Prose, read_page
from site_tools.figures import build_date
from site_tools.outputs import compare
from site_tools.project import DOCS
from site_tools.project import ROOT as PROJECT_ROOT

CACHE = PROJECT_ROOT / ".cache" / "notebooks"
CACHE_FORMAT = 2  # bump when the way notebooks are executed changes
RUN_ID = "TUTORIAL_RUN_ID"  # set by the test run; a failed run is reused within it only
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
            "The outputs below were produced with torch {torch} on {machine}, {date}. "
            "Outputs the page marks as measured (training logs, long products) depend on the "
            "processor, the number of threads and the device: on your machine their last "
            "digits may differ."
        ),
        "machine": "CPU ({cpu}, {capability} kernels, {threads} threads)",
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
            "下面的输出由 torch {torch} 在 {machine}上生成，日期 {date}。"
            "页面上标为实测的输出（训练日志、多层连乘的结果）取决于处理器、线程数和设备："
            "在你的机器上，它们的最后几位数字可能不同。"
        ),
        "machine": "CPU（{cpu}，{capability} 向量指令，{threads} 个线程）",
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
RUN_MACHINE = "<run machine>"


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
    fence: Fence | None = None  # None for the cell of inlined helpers


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
        packages=" ".join(pinned_packages()),
        torch=version("torch"),
        date=RUN_DATE,  # the day the outputs were made, filled in by outcome()
        machine=RUN_MACHINE,  # likewise, the processor they were made on
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
        origins.append(Source(len(cells), block.id, block))
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


def pinned_packages() -> list[str]:
    """What a notebook or program needs installed, at the versions it was run with."""
    return [f"{name}=={version(name)}" for name in PACKAGES]


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


# Makes the project's packages unimportable, as on a reader's machine (a kernel, a program).
NO_PROJECT = f"""
import importlib.abc, sys
class NoProject(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {PROJECT_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, NoProject())
del NoProject
"""
BLOCK_PROJECT = (
    NO_PROJECT
    + """
from ipykernel.kernelapp import launch_new_instance
launch_new_instance()
"""
)


def outside_environment() -> dict[str, str]:
    """Our variables, less those that point into the project or its Python and matplotlib."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TUTORIAL_", "PYTHON", "JUPYTER", "MPL"))
    }


def _kernel_environment(home: Path) -> dict[str, str]:
    """The variables of the kernel: outside the project, with its own kernel folder."""
    env = outside_environment()
    env["JUPYTER_PATH"] = str(home)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


MACHINE_PROBE = """
import json as _json, platform as _platform, torch as _torch
_cpu = _platform.processor() or _platform.machine()
try:
    with open("/proc/cpuinfo", encoding="utf-8") as _info:
        _cpu = next((_l.split(":", 1)[1].strip() for _l in _info if _l.startswith("model name")), _cpu)
except OSError:
    pass
print(_json.dumps({"cpu": _cpu, "capability": _torch.backends.cpu.get_cpu_capability(),
                   "threads": _torch.get_num_threads()}))
"""


def run(notebook, label: str, origins: list[Source]) -> dict:
    """Execute the notebook's code cells in an isolated kernel.

    Returns a record: each code cell's outputs and execution count, ``failed`` (the index,
    among the code cells, of the one that raised, or None), ``error`` (what it raised, naming
    the cell and the page line) and ``machine`` (processor, vector kernels and threads the run
    used, for the notebook's first cell).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    home = Path(tempfile.mkdtemp(prefix="tutorial-kernel-"))
    folder = Path(tempfile.mkdtemp(prefix="tutorial-notebook-"))
    spec = home / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", BLOCK_PROJECT, "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "isolated", "language": "python"})
    )
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    copy.cells.append(nbformat.v4.new_code_cell(MACHINE_PROBE))
    env = _kernel_environment(home)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(home)  # where the client looks the kernel up
    failed, error = None, ""
    try:
        # IPC sockets in the kernel's own folder: nothing listens on the network, and the
        # kernel has no reason to warn about unencrypted TCP.
        sockets = Config({"KernelManager": {"transport": "ipc", "ip": str(home / "ipc")}})
        client = NotebookClient(
            copy,
            config=sockets,
            timeout=CELL_TIMEOUT,
            kernel_name=KERNEL,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute(env=env, cwd=str(folder))
    except CellExecutionError as raised:
        cells = code_cells(copy)
        failed = next(
            (n for n, c in enumerate(cells) if any(o.get("output_type") == "error"
                                                   for o in c.get("outputs", []))),
            None,
        )  # fmt: skip
        number = copy.cells.index(cells[failed]) if failed is not None else None
        source = next((s for s in origins if s.cell == number), None)
        where = f"cell {number} (code from {source.origin})" if source else "a cell"
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(raised))  # the kernel colours tracebacks
        error = f"{label}: {where} raised:\n{message}"
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    *cells, probe = code_cells(copy)
    machine = {}
    if failed is None:
        machine = json.loads("".join(o.get("text", "") for o in probe.get("outputs", [])))
    return {
        "cells": [
            {"outputs": cell.get("outputs", []), "execution_count": cell.get("execution_count")}
            for cell in cells
        ],
        "failed": failed,
        "error": error,
        "machine": machine,
    }


@contextmanager
def locked(folder: Path, key: str):
    """One run per code at a time: the other language's page, on another worker, waits."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{key}.lock", "w") as handle:
        if fcntl:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def store(path: Path, record: dict) -> None:
    """Write a run's record whole, or not at all."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.partial")
    temporary.write_text(json.dumps(record), encoding="utf-8")
    temporary.replace(path)


def outcome(notebook, label: str, origins: list[Source], log=None) -> dict:
    """The notebook's run, from the cache or a new run, with its outputs filled in.

    A complete run is cached by its code (``cache_key``). A run that raised is kept only for
    the test run that made it (``$TUTORIAL_RUN_ID``), so that the other language's page reads
    it instead of running the same code again, while the next test run tries afresh.
    """
    key = cache_key(notebook)
    record_path, failure_path = CACHE / f"{key}.json", CACHE / f"{key}.failed.json"
    run_id = os.environ.get(RUN_ID)
    with locked(CACHE, key):
        stored = None
        if record_path.is_file():
            stored = json.loads(record_path.read_text(encoding="utf-8"))
        elif failure_path.is_file() and run_id:
            failure = json.loads(failure_path.read_text(encoding="utf-8"))
            stored = failure if failure.get("run") == run_id else None
        if stored is None:
            if log:
                log(f"Executing {label} (its code changed or was never run here)")
            stored = {"date": build_date(), **run(notebook, label, origins)}
            if stored["failed"] is None:
                store(record_path, stored)
                failure_path.unlink(missing_ok=True)
            elif run_id:
                store(failure_path, {"run": run_id, **stored})
    # The date belongs to the run, not to the build: a rebuild on another day changes nothing.
    notebook.cells[0].source = notebook.cells[0].source.replace(RUN_DATE, stored["date"])
    machine = stored.get("machine") or {}
    described = TEXT[label.split("/")[0]]["machine"].format(**machine) if machine else "CPU"
    notebook.cells[0].source = notebook.cells[0].source.replace(RUN_MACHINE, described)
    for cell, result in zip(code_cells(notebook), stored["cells"], strict=False):
        cell.outputs = [nbformat.from_dict(output) for output in result["outputs"]]
        cell.execution_count = result["execution_count"]
    return stored


def executed(notebook, label: str, origins: list[Source], log=None):
    """Fill in the outputs of every code cell, from the cache or from a run; fail if it raised."""
    stored = outcome(notebook, label, origins, log)
    if stored["failed"] is not None:
        raise NotebookError(stored["error"])
    return notebook


def disagreements(notebook, origins: list[Source]) -> list[str]:
    """Each output the run printed that its page does not show (within the block's tolerance)."""
    problems = []
    for source in origins:
        fence = source.fence
        if fence is None or fence.expected_output is None:
            continue
        got = printed(notebook.cells[source.cell])
        comparison = compare(fence.expected_output, got, fence.tolerance)
        if not comparison.ok:
            kind = "measured" if fence.tolerance else "exact"
            problems.append(
                f"{fence.id} ({kind}): {comparison.problem}\n--- the run printed\n"
                f"{got.rstrip()}\n--- the page shows\n{fence.expected_output.rstrip()}"
            )
    return problems


def printed(cell) -> str:
    """What a code cell wrote to standard output."""
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )


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
    """Write the chapter's notebook into docs/<language>/notebooks/ if it changed.

    The run must print what the page shows, within each block's tolerance; otherwise nothing is
    written and the error names every block that disagrees.
    """
    notebook, origins = build(chapter, site_url, default, log)
    problems = disagreements(notebook, origins)
    if problems:
        raise NotebookError(
            f"{chapter.label}: the run disagrees with the page in {len(problems)} block(s):\n\n"
            + "\n\n".join(problems)
        )
    return write_if_changed(chapter.target, as_text(notebook))


def write_if_changed(target: Path, text: str) -> bool:
    """Write ``text`` to ``target`` unless it is already there; never leave half a file."""
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.partial")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return True


def main(argv: list[str] | None = None) -> int:
    """Write every chapter's notebook, running those whose code changed (`nox -s docs` does)."""
    import argparse

    from site_tools.project import default_language, languages, settings

    parser = argparse.ArgumentParser(prog="python -m site_tools.notebooks")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report a notebook that fails or disagrees with its page, write the others, exit 0 "
        "(the tests do: their fence items report each block)",
    )
    args = parser.parse_args(argv)
    written, failed = [], []
    for language in languages():
        for chapter in chapters(language):
            try:
                if write(chapter, settings()["site_url"], default_language(), print):
                    written.append(chapter.label)
            except NotebookError as error:
                if not args.keep_going:
                    raise SystemExit(f"notebooks: {error}") from None
                failed.append(chapter.label)
                print(f"notebooks: not written, {error}")
    print(f"notebooks: {len(written)} written, {len(failed)} failed, the others unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
