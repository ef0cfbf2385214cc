"""The whole program of each chapter, as one file a reader downloads and runs.

A chapter shows its example in parts. Here the example becomes one standalone script,
``docs/programs/<example>.py``: the module with everything it imports from the project inlined
(see ``site_tools.bundle``), runnable with ``python3 <example>.py --quick`` in an empty folder where
only torch, torchvision and matplotlib are installed. Its figures are drawn once, in English, into
``outputs/`` beside it. Each chapter links to its program under its title.

    python -m site_tools.programs        # the build writes them too (site_tools/hooks/notebooks.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

from site_tools import notebooks, project
from site_tools.bundle import NOTEBOOK_DEFINITIONS, Bundler
from site_tools.project import DOCS, ROOT

FOLDER = DOCS / "programs"  # one copy for every language: the code is the same

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


def main() -> int:
    written = [chapter.example for chapter in project.chapters() if write(chapter.example)]
    print(f"programs: {len(written)} written, the others unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
