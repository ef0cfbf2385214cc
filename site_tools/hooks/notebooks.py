"""Hook: each chapter's notebook and whole program, written before the build reads the docs
folder, and under the chapter's title the ways to run it: a download button for the notebook,
the program as one file, and the command for a clone of the project (see site_tools/notebooks.py
and site_tools/programs.py)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import PurePosixPath

from site_tools import notebooks, programs
from site_tools.hooks.common import default_language, languages, page_language

log = logging.getLogger("mkdocs.hooks.notebooks")


def on_config(config):
    """Write each chapter's executed notebook into docs/<language>/notebooks/ and its whole
    program into docs/programs/ (each only if it changed)."""
    for language in languages(config):
        for chapter in notebooks.chapters(language):
            notebooks.write(chapter, config.site_url, default_language(config), log.info)
    for chapter in notebooks.chapters(default_language(config)):
        programs.write(chapter.example)
    return config


DOWNLOAD = {
    "en": "Download this chapter as a Jupyter notebook (.ipynb)",
    "zh": "下载本章的 Jupyter 笔记本（.ipynb）",
}
RUN = {
    "en": "Or the whole program in one file, [`{example}.py`]({program}): `python3 {example}.py"
    " --quick` runs it anywhere torch, torchvision and matplotlib are installed. Or, in a clone"
    " of the project: `python3 -m examples.{example} --device auto`"
    " ([how to run a chapter]({home}#how-to-read-it)).",
    "zh": "也可以下载完整程序 [`{example}.py`]({program})：装有 torch、torchvision 和 matplotlib 的"
    "任何地方都能用 `python3 {example}.py --quick` 运行它。或者在项目的克隆中运行："
    "`python3 -m examples.{example} --device auto`（[如何运行一章]({home}#如何阅读)）。",
}
H1 = re.compile(r"^# .+$", re.MULTILINE)


def _download_button(markdown: str, page, language: str, example: str) -> str:
    """Put a download button for the chapter's notebook right under its title."""
    folder = PurePosixPath(page.file.src_uri).parent
    notebook = PurePosixPath(language, notebooks.FOLDER, f"{example}.ipynb")
    href = PurePosixPath(os.path.relpath(notebook, folder)).as_posix()
    label = DOWNLOAD.get(language, DOWNLOAD["en"])
    button = f'[{label}]({href}){{ .md-button .tutorial-download download="{example}.ipynb" }}'
    home = PurePosixPath(os.path.relpath(PurePosixPath(language, "index.md"), folder)).as_posix()
    program = os.path.relpath(programs.path(example).relative_to(programs.FOLDER.parent), folder)
    run = RUN.get(language, RUN["en"]).format(
        example=example, home=home, program=PurePosixPath(program).as_posix()
    )
    return H1.sub(lambda m: f"{m.group(0)}\n\n{button}\n\n{run}\n", markdown, count=1)


def on_page_markdown(markdown, page, config, files):
    example = page.meta.get("example")
    if not example:
        return markdown
    return _download_button(markdown, page, page_language(page), example)
