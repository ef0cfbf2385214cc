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
from site_tools.hooks.common import default_language, is_offline, languages, page_language

log = logging.getLogger("mkdocs.hooks.notebooks")


def on_config(config):
    """Write each chapter's executed notebook into docs/<language>/notebooks/ and its whole
    program into docs/programs/ (each only if it changed)."""
    for language in languages(config):
        for chapter in notebooks.chapters(language):
            notebooks.write(chapter, config.site_url, default_language(config), log.info)
    for chapter in notebooks.chapters(default_language(config)):
        programs.write(chapter.example)
        for language in languages(config):
            programs.write_page(chapter.example, language, log.info)
    return config


DOWNLOAD = {
    "en": "Download this chapter as a Jupyter notebook (.ipynb)",
    "zh": "下载本章的 Jupyter 笔记本（.ipynb）",
}
RUN = {
    "en": "Or [the whole program, run, with its output]({page}), and in one file,"
    " [`{example}.py`]({program}): `python3 {example}.py"
    " --quick` runs it anywhere torch, torchvision and matplotlib are installed. Or, in a clone"
    " of the project: `python3 -m examples.{example} --device auto`"
    " ([how to run a chapter]({home}#how-to-read-it)).",
    "zh": "也可以看[完整程序及其运行输出]({page})，或下载这个文件 [`{example}.py`]({program})："
    "装有 torch、torchvision 和 matplotlib 的"
    "任何地方都能用 `python3 {example}.py --quick` 运行它。或者在项目的克隆中运行："
    "`python3 -m examples.{example} --device auto`（[如何运行一章]({home}#如何阅读)）。",
}
# The offline copy: a browser opens a notebook from the file system as text (Chromium ignores
# `download` under file://), so the page names the file to open in Jupyter instead.
OFFLINE = {
    "en": "This chapter as a Jupyter notebook, with the outputs of a run:"
    " [`{example}.ipynb`]({notebook}). A browser shows it as text: open `{path}`, in this copy's"
    " folder, in Jupyter. The whole program in one file: [`{example}.py`]({program});"
    " `python3 {example}.py --quick` runs it anywhere torch, torchvision and matplotlib are"
    " installed.",
    "zh": "本章的 Jupyter 笔记本，带一次运行的输出：[`{example}.ipynb`]({notebook})。浏览器会把它"
    "显示为文本：请用 Jupyter 打开本副本文件夹中的 `{path}`。完整程序在一个文件里："
    "[`{example}.py`]({program})；装有 torch、torchvision 和 matplotlib 的任何地方都能用"
    " `python3 {example}.py --quick` 运行它。",
}
# On paper (the PDF, printed from the offline copy): where the files are, by their address.
PAPER = {
    "en": "This chapter's notebook, with the outputs of a run, and its whole program in one file"
    " are on the site: <{url}>.",
    "zh": "本章的笔记本（带一次运行的输出）和一个文件的完整程序都在网站上：<{url}>。",
}
H1 = re.compile(r"^# .+$", re.MULTILINE)


def _ways_to_run(markdown: str, page, config, example: str) -> str:
    """Under the chapter's title: a download button for its notebook, its whole program and the
    command for a clone; in the offline copy, where the files are, and on paper, their address."""
    language = page_language(page)
    folder = PurePosixPath(page.file.src_uri).parent
    notebook = PurePosixPath(language, notebooks.FOLDER, f"{example}.ipynb")
    href = PurePosixPath(os.path.relpath(notebook, folder)).as_posix()
    program = os.path.relpath(programs.path(example).relative_to(programs.FOLDER.parent), folder)
    program = PurePosixPath(program).as_posix()
    if is_offline(config):
        default = default_language(config)
        inside = notebook.relative_to(language) if language == default else notebook
        offline = OFFLINE.get(language, OFFLINE["en"]).format(
            example=example, notebook=href, path=inside.as_posix(), program=program
        )
        relative = PurePosixPath(page.file.src_uri).relative_to(language).as_posix()
        url = notebooks.page_url(config.site_url or "/", language, default, relative)
        paper = PAPER.get(language, PAPER["en"]).format(url=url)
        text = (
            f'<p class="tutorial-screen" markdown="span">{offline}</p>\n\n'
            f'<p class="tutorial-paper" markdown="span">{paper}</p>'
        )
    else:
        label = DOWNLOAD.get(language, DOWNLOAD["en"])
        button = f'[{label}]({href}){{ .md-button .tutorial-download download="{example}.ipynb" }}'
        home = PurePosixPath(os.path.relpath(PurePosixPath(language, "index.md"), folder))
        page_link = os.path.relpath(
            PurePosixPath(language, programs.PAGES, f"{example}.ipynb"), folder
        )
        run = RUN.get(language, RUN["en"]).format(
            example=example, home=home.as_posix(), program=program, page=page_link
        )
        text = f"{button}\n\n{run}"
    return H1.sub(lambda m: f"{m.group(0)}\n\n{text}\n", markdown, count=1)


def on_page_markdown(markdown, page, config, files):
    example = page.meta.get("example")
    if not example:
        return markdown
    return _ways_to_run(markdown, page, config, example)
