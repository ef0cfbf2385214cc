"""The whole program of each chapter: one file a reader downloads and runs, and a page that shows it run.

A chapter shows its example in parts. Here the example becomes one standalone script,
``docs/programs/<example>.py``: the module with everything it imports from the project inlined
(see ``site_tools.bundle``), runnable with ``python3 <example>.py --quick`` in an empty folder where
only torch, torchvision and matplotlib are installed. Its figures are drawn once, in English, into
``outputs/`` beside it.

The program page, ``docs/<language>/programs/<example>.ipynb`` (not committed), is a notebook that
mkdocs-jupyter renders: an introduction in the page's language with the downloads (the ``.py``,
the chapter's notebook, an "Open in Colab" link), then the program as one code cell with what
``python3 <example>.py`` printed and drew when run alone, in an empty folder, with the project
unimportable. That run is cached by the program's code, its flags and the package versions
(``.cache/programs``), so a program runs once, whichever builds or tests ask for it.

Colab opens notebooks from GitHub, so the deploy workflow publishes every chapter notebook to the
branch ``COLAB_BRANCH`` of the repository, laid out by ``published_path``; ``colab_url`` builds the
link by the same rule.

    python -m site_tools.programs                  # the build writes them too (hooks/notebooks.py)
    python -m site_tools.programs --publish DIR    # lay the notebooks out for the Colab branch
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import nbformat

from site_tools import notebooks, project
from site_tools.bundle import NOTEBOOK_DEFINITIONS, Bundler
from site_tools.figures import build_date
from site_tools.project import DOCS, ROOT

FOLDER = DOCS / "programs"  # one copy for every language: the code is the same
PAGES = "programs"  # each language's program pages: docs/<language>/programs/<example>.ipynb
CACHE = ROOT / ".cache" / "programs"
CACHE_FORMAT = 1  # bump when the way programs are run changes
RUN_TIMEOUT = 900  # seconds; the pipeline's full training is the longest
# Where Colab finds the notebooks: the deploy workflow pushes them to this branch.
COLAB_BRANCH = "notebooks"

# Outside the project, a program draws each figure once, in English (no CJK font needed), and
# saves it as a file, as the project's examples do.
PROGRAM_DEFINITIONS = {
    **{
        key: NOTEBOOK_DEFINITIONS[key]
        for key in (("paths", "PROJECT_ROOT"), ("paths", "FIGURES_ROOT"))
    },
    ("common", "draw_in_languages"): (
        (),
        '''def draw_in_languages(draw, path, *args, **kwargs):
    """Outside the project: draw the figure once, in English, into the file ``path``."""
    import matplotlib

    with matplotlib.rc_context(figure_style("en")):
        return {"en": draw(*args, **kwargs, language="en", path=path)}''',
    ),
}


def path(example: str) -> Path:
    return FOLDER / f"{example}.py"


def source(example: str) -> str:
    """The standalone program: the example with its project imports inlined, then a main guard."""
    bundle = Bundler(ROOT, PROGRAM_DEFINITIONS).cell(f"from examples.{example} import main\n")
    title = next(c for c in project.chapters() if c.example == example).title("en")
    header = (
        f'"""{title}: the whole program of the chapter, runnable on its own.\n\n'
        f"    pip install {' '.join(notebooks.pinned_packages())}\n"
        f"    python3 {example}.py --quick     # a short run; --help lists every flag\n\n"
        "Made from examples/" + example + ".py and what it imports from the project.\n"
        '"""\n\n'
    )
    return f'{header}{bundle.helpers}\n\n\nif __name__ == "__main__":\n    main()\n'


def write(example: str) -> bool:
    """Write the program if it changed; True if it did. Nothing half-written is ever left."""
    return notebooks.write_if_changed(path(example), source(example))


# --- the run --------------------------------------------------------------------------------

MACHINE_MARK = "tutorial-machine: "
# Runs the file as __main__ with the project's packages blocked, as on a reader's machine, then
# writes on stderr's last line, after MACHINE_MARK, the machine it ran on (shown on the page): the
# notebooks' own probe, its output sent to stderr.
ISOLATED = f"""{notebooks.NO_PROJECT}
import runpy
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    sys.stdout.flush()
    sys.stdout = sys.stderr
    print("\\n" + {MACHINE_MARK!r}, end="")
    exec({notebooks.MACHINE_PROBE!r})
"""
FIGURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def flags(example: str, text: str | None = None) -> list[str]:
    """How the page runs the program: in full, on the CPU, making its own data if it can."""
    text = source(example) if text is None else text
    return ["--device", "cpu", *(["--make-data"] if '"--make-data"' in text else [])]


def command(example: str, quick: bool = False) -> str:
    extra = ["--quick"] if quick else []
    return " ".join(["python3", f"{example}.py", *flags(example), *extra])


def run_key(text: str, arguments: list[str]) -> str:
    facts = {
        "format": CACHE_FORMAT,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "packages": {n: version(n) for n in (*notebooks.PACKAGES, "numpy", "pillow")},
        "code": text,
        "flags": arguments,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _environment() -> dict[str, str]:
    """Outside the project (as the notebooks run), figures drawn without a display."""
    return {**notebooks.outside_environment(), "MPLBACKEND": "Agg"}


def execute(text: str, name: str, arguments: list[str]) -> dict:
    """Run the program ``text`` as ``name`` in an empty folder: what it printed and drew."""
    folder = Path(tempfile.mkdtemp(prefix="tutorial-program-"))
    try:
        (folder / name).write_text(text, encoding="utf-8")
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", ISOLATED, name, *arguments],
            cwd=folder, env=_environment(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
        )  # fmt: skip
        seconds = round(time.monotonic() - started, 1)
        # The machine's line; what Python prints as it exits (an uncaught error) comes after it.
        stderr, _, machine = done.stderr.rpartition(MACHINE_MARK)
        machine, _, after = machine.partition("\n")
        stderr += after
        figures = {}
        for path in (
            sorted((folder / "outputs").rglob("*")) if (folder / "outputs").is_dir() else []
        ):
            if path.suffix in FIGURE_TYPES:
                data = path.read_bytes()
                figures[path.relative_to(folder).as_posix()] = (
                    data.decode("utf-8") if path.suffix == ".svg"
                    else base64.b64encode(data).decode("ascii")
                )  # fmt: skip
        wrote_docs = (folder / "docs").exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "returncode": done.returncode,
        "stdout": done.stdout,
        "stderr": stderr.strip()[-3000:],
        "machine": json.loads(machine) if machine.strip() else {},
        "figures": figures,
        "wrote_docs": wrote_docs,
        "seconds": seconds,
    }


def run(example: str, quick: bool = False, log=None) -> dict:
    """The program's run, from the cache or a new one; only a run that succeeded is cached."""
    text = source(example)
    arguments = flags(example, text) + (["--quick"] if quick else [])
    key = run_key(text, arguments)
    record_path = CACHE / f"{key}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    with notebooks.locked(CACHE, key):
        if record_path.is_file():
            return json.loads(record_path.read_text(encoding="utf-8"))
        if log:
            log(f"Running {example}.py {' '.join(arguments)} (its code changed or never ran here)")
        record = {"date": build_date(), **execute(text, f"{example}.py", arguments)}
        if record["returncode"] == 0 and not record["wrote_docs"]:
            notebooks.store(record_path, record)
    return record


class ProgramError(RuntimeError):
    """A program that failed when run alone; the message names it and ends with its stderr."""


# --- the page --------------------------------------------------------------------------------

TEXT = {
    "en": {
        "title": "{title}: the whole program",
        "intro": (
            "The chapter [{title}]({chapter}) shows this program in parts. Here it is whole, as one"
            " file, with the project's helpers copied in: it runs anywhere Python 3.11 or later,"
            " torch, torchvision and matplotlib are installed. Below it is what"
            " `{command}` printed and drew, run alone in an empty folder with torch {torch} on"
            " {machine}, {date}. Training logs and long products depend on the processor, the"
            " number of threads and the device: on your machine their last digits may differ."
        ),
        "machine": "CPU ({cpu}, {capability} kernels, {threads} threads)",
        "download": "Download the program (.py)",
        "notebook": "The chapter as a notebook (.ipynb)",
        "colab": "Open the chapter in Colab",
        "run": "To run it: `pip install {packages}`, then `{command}` (add `--quick` for a short"
        " run, `--help` for every flag).",
    },
    "zh": {
        "title": "{title}：完整程序",
        "intro": (
            "[{title}]({chapter})一章把这个程序拆成几段来讲。这里是它的全貌：一个文件，项目里的辅助"
            "代码已复制进来，装有 Python 3.11 或更新版本、torch、torchvision 和 matplotlib 的任何"
            "地方都能运行。下面是 `{command}` 在一个空文件夹中单独运行时打印和画出的内容，使用"
            " torch {torch}，在 {machine}上，日期 {date}。训练日志和多层连乘的结果取决于处理器、"
            "线程数和设备：在你的机器上，它们的最后几位数字可能不同。"
        ),
        "figures": "程序的图用英文标注，这样运行它不需要中文字体；本章页面上有各语言的图。",
        "machine": "CPU（{cpu}，{capability} 向量指令，{threads} 个线程）",
        "download": "下载程序（.py）",
        "notebook": "本章的笔记本（.ipynb）",
        "colab": "在 Colab 中打开本章",
        "run": "运行方法：`pip install {packages}`，然后 `{command}`（加 `--quick` 做一次短运行，"
        "`--help` 列出所有参数）。",
    },
}


def published_path(language: str, example: str) -> str:
    """Where a chapter's notebook lies on the Colab branch."""
    return f"{language}/{example}.ipynb"


def colab_url(language: str, example: str, repository: str = project.REPOSITORY) -> str:
    """The address that opens a chapter's notebook in Colab, from the Colab branch."""
    owner_and_name = repository.removeprefix("https://github.com/").rstrip("/")
    path = published_path(language, example)
    return f"https://colab.research.google.com/github/{owner_and_name}/blob/{COLAB_BRANCH}/{path}"


def publish(target: Path, languages=project.LANGUAGES) -> list[Path]:
    """Copy every chapter's built notebook to ``target`` as the Colab branch lays them out."""
    copied = []
    for language in languages:
        for chapter in notebooks.chapters(language):
            destination = target / published_path(language, chapter.example)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(chapter.target, destination)
            copied.append(destination)
    return copied


def page_path(language: str, example: str) -> Path:
    return DOCS / language / PAGES / f"{example}.ipynb"


# Links to the site's own files, which the hook resolves as MkDocs resolves a page's links (so they
# hold with and without directory URLs): the chapter, the program file, the chapter's notebook.
LINK = "tutorial-link:"


def link_targets(example: str, language: str) -> dict[str, str]:
    """Where each ``LINK`` name points, as a source path inside the docs folder."""
    chapter = next(c for c in project.chapters() if c.example == example)
    return {
        "chapter": f"{language}/{chapter.source}",
        "program": path(example).relative_to(DOCS).as_posix(),
        "notebook": f"{language}/{notebooks.FOLDER}/{example}.ipynb",
    }


def figure_alt(chapter: project.Chapter, language: str, stem: str) -> str | None:
    """The text the chapter's page gives its figure ``stem`` in ``language``, if it shows it."""
    text = chapter.page(language).read_text(encoding="utf-8")
    found = re.search(rf"!\[([^\]]+)\]\([^)\s]*/{re.escape(stem)}\.{language}\.\w+\)", text)
    return found.group(1) if found else None


def page(example: str, language: str, record: dict) -> nbformat.NotebookNode:
    """The program page: title, introduction and downloads, the program, its outputs."""
    words = TEXT.get(language, TEXT["en"])
    chapter = next(c for c in project.chapters() if c.example == example)
    title = chapter.title(language)
    machine = words["machine"].format(**record["machine"]) if record["machine"] else "CPU"
    intro = words["intro"] + (
        f" {words['figures']}" if record["figures"] and "figures" in words else ""
    )
    intro = intro.format(
        title=title, chapter=LINK + "chapter", command=command(example), torch=version("torch"),
        machine=machine, date=record["date"],
    )  # fmt: skip
    buttons = "".join([  # no line breaks: between Chinese words one would show as a space
        f'<a class="md-button md-button--primary" href="{LINK}program" download="{example}.py">'
        f"{words['download']}</a>",
        f'<a class="md-button" href="{LINK}notebook" download="{example}.ipynb">'
        f"{words['notebook']}</a>",
        f'<a class="md-button" href="{colab_url(language, example)}">{words["colab"]}</a>',
    ])  # fmt: skip
    run_line = words["run"].format(
        packages=" ".join(notebooks.pinned_packages()), command=f"python3 {example}.py"
    )
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {words['title'].format(title=title)}\n\n{intro}\n\n"
            f'<p class="tutorial-program-downloads">{buttons}</p>\n\n{run_line}'
        )
    ]
    code = nbformat.v4.new_code_cell(source(example).rstrip("\n"))
    code.execution_count = 1
    if record["stdout"]:
        code.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=record["stdout"]))
    alts = []
    for name, data in record["figures"].items():
        kind = FIGURE_TYPES[Path(name).suffix]
        code.outputs.append(
            nbformat.v4.new_output("display_data", data={kind: data, "text/plain": name})
        )
        alt = figure_alt(chapter, language, Path(name).stem) or name
        alts.append({"file": Path(name).name, "alt": alt})
    cells.append(code)
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # fixed ids: nbformat would pick random ones
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        # nbconvert inlines figures without a text: the hook serves them as files, with these.
        "tutorial": {"figures": alts},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return notebook


def write_page(example: str, language: str, log=None) -> bool:
    """Write the program page if it changed; a program that fails alone stops the build."""
    record = run(example, log=log)
    if record["returncode"] != 0:
        raise ProgramError(
            f"{example}.py {' '.join(flags(example))} failed when run alone:\n{record['stderr']}"
        )
    if record["wrote_docs"]:
        raise ProgramError(f"{example}.py wrote into a docs/ folder when run alone")
    return notebooks.write_if_changed(
        page_path(language, example), notebooks.as_text(page(example, language, record))
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m site_tools.programs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--publish", type=Path, metavar="DIR",
                        help="copy the built chapter notebooks into DIR as the Colab branch lays them out")  # fmt: skip
    parser.add_argument(
        "--keep-going", action="store_true",
        help="report a program that fails alone, write the other pages, exit 0 (the tests do)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.publish:
        copied = publish(args.publish)
        print(f"programs: {len(copied)} notebooks laid out in {args.publish}")
        return 0
    written = [chapter.example for chapter in project.chapters() if write(chapter.example)]
    pages, failed = [], []
    for chapter in project.chapters():
        for language in project.LANGUAGES:
            try:
                if write_page(chapter.example, language, print):
                    pages.append(f"{language}/{chapter.example}")
            except ProgramError as error:
                if not args.keep_going:
                    raise SystemExit(f"programs: {error}") from None
                failed.append(chapter.example)
                print(f"programs: page not written, {error}")
    print(
        f"programs: {len(written)} files and {len(pages)} pages written,"
        f" {len(failed)} failed, the others unchanged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
