"""Turn an example module into a Jupyter notebook, one per chapter and language.

The notebook holds the example's own code, cut into cells at its named sections
(``# --8<-- [start:name]``), so it can never drift from the example the chapter shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from site_tools.figures import module_constant

SECTION_MARK = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$")
MAIN_GUARD = re.compile(r'^if __name__ == "__main__":\n(?:[ \t]+.*\n?)+', re.MULTILINE)

INTRO = {
    "en": (
        "# Notebook: {title}\n\n"
        "The code of the chapter [{title}]({chapter_link}), cell by cell. "
        "Run it from a clone of the project after `pip install -e .`; "
        "figures are written to `docs/figures/{example}/`."
    ),
    "zh": (
        "# 笔记本：{title}\n\n"
        "章节[{title}]({chapter_link})的代码，逐个单元格排列。"
        "请在项目的克隆目录中先运行 `pip install -e .`，再运行本笔记本；"
        "图片写入 `docs/figures/{example}/`。"
    ),
}
RUN_CELL = "result = main({args})  # the flags of the command line, e.g. main(['--device', 'cpu'])"


def split_cells(source: str) -> list[str]:
    """Cut a module's source into code cells at its section marks, dropping the marks."""
    source = MAIN_GUARD.sub("", source)
    cells, current = [], []
    for line in source.splitlines():
        if SECTION_MARK.match(line):
            cells.append("\n".join(current))
            current = []
        else:
            current.append(line)
    cells.append("\n".join(current))
    return [cell.strip("\n") for cell in cells if cell.strip()]


def build_notebook(example_path: Path, title: str, language: str, chapter_link: str) -> str:
    """Return the notebook as JSON text, byte-for-byte the same for the same inputs."""
    example = example_path.stem
    intro = INTRO[language].format(title=title, chapter_link=chapter_link, example=example)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = [nbformat.v4.new_markdown_cell(intro)]
    cells += [nbformat.v4.new_code_cell(code) for code in split_cells(example_path.read_text())]
    extra = module_constant(example_path, "FIGURE_ARGS")
    cells.append(nbformat.v4.new_code_cell(RUN_CELL.format(args=list(extra or ()))))
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # fixed ids: nbformat would pick random ones
    notebook.cells = cells
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"
