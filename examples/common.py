"""Helpers shared by every example: command-line flags, seeding, device choice, figures."""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import torch

from examples.paths import FIGURES_ROOT

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def build_parser(name: str, description: str) -> argparse.ArgumentParser:
    """Return a parser with the flags every example shares."""
    parser = argparse.ArgumentParser(prog=f"python -m examples.{name}", description=description)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--device",
        choices=DEVICE_CHOICES,
        default="auto",
        help="where tensors live: auto picks CUDA when a GPU is present (default: auto)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=FIGURES_ROOT / name,
        help="folder for figures (default: docs/figures/%(prog)s's name in the project)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small, fast run for the tests (each example says what it skips)",
    )
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv`` and turn ``--device`` into a ``torch.device``.

    ``--device cuda`` on a machine without a GPU ends the program with one line on stderr and
    exit status 2, the same as any other bad flag.
    """
    args = parser.parse_args(argv)
    try:
        args.device = choose_device(args.device)
    except RuntimeError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return args


def choose_device(name: str) -> torch.device:
    """Map ``auto``/``cpu``/``cuda`` to a device, refusing CUDA when there is none."""
    if name not in DEVICE_CHOICES:
        raise ValueError(f"unknown device {name!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "--device cuda was asked for, but this machine has no CUDA GPU that torch can use; "
            "run with --device cpu or --device auto"
        )
    return torch.device(name)


def count_parameters(module: torch.nn.Module) -> int:
    """How many numbers the module's parameters hold."""
    return sum(parameter.numel() for parameter in module.parameters())


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, torch (CPU and CUDA) and return a CPU generator seeded the same way."""
    random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextmanager
def replaced_atomically(path: Path, suffix: str = ""):
    """Yield a temporary path beside ``path``; on success, rename it onto ``path``.

    A crash or an exception leaves the old file (or none), never half of a new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.stem}-partial-", suffix=suffix)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)  # mkstemp creates files only their owner may read
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


FIGURE_LANGUAGES = ("en", "zh")
# A chapter's column is 688 CSS px wide on a desktop screen (tests/test_browser.py measures it).
# Figures are drawn that wide, at 100 px an inch, so that their type shows at the size it is set
# in; save_figure refuses a figure whose text would show smaller than MIN_TEXT_PX.
COLUMN_PX = 688
FIGURE_WIDTH = COLUMN_PX / 100  # inches
MIN_TEXT_PX = 12
# The site's dark scheme (Material's "slate"): its ground and its text. A photo figure (.png),
# which no colour filter can turn dark without turning the photo, is drawn a second time on
# that ground, as name.<language>.dark.png; the pages show it in the dark scheme only.
DARK_GROUND = "#1e2029"
DARK_TEXT = "#bfc0c7"
CJK_FONT = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk


def figure_style(language: str, scheme: str = "light") -> dict:
    """matplotlib settings for a figure in ``language``: its font, type sizes, reproducible SVG
    output, and for ``scheme="dark"`` the dark scheme's ground and text colours.

    Chinese labels need a CJK font; without one matplotlib would draw empty boxes, so a
    missing font is an error that says what to install.
    """
    from matplotlib import font_manager

    style = {
        "svg.hashsalt": "pytorch-models",
        "svg.fonttype": "path",
        # At FIGURE_WIDTH a point shows as 1.39 CSS px: 9 pt is 12.5 px (MIN_TEXT_PX is 12).
        "font.size": 10,
        "axes.titlesize": 10,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.title_fontsize": 9,
    }
    if scheme == "dark":
        style |= {"figure.facecolor": DARK_GROUND, "savefig.facecolor": DARK_GROUND}
        style |= {"axes.facecolor": DARK_GROUND, "axes.edgecolor": DARK_TEXT}
        for key in ("text.color", "axes.titlecolor", "axes.labelcolor"):
            style[key] = DARK_TEXT
        style |= {"xtick.color": DARK_TEXT, "ytick.color": DARK_TEXT}
    if language == "zh":
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=CJK_FONT), fallback_to_default=False
            )
        except ValueError:
            raise RuntimeError(
                f"the Chinese figures need the font '{CJK_FONT}': install Debian's "
                "fonts-noto-cjk (apt-get install fonts-noto-cjk)"
            ) from None
        style |= {"font.family": [CJK_FONT, "DejaVu Sans"], "axes.unicode_minus": False}
    return style


def draw_in_languages(draw, path: Path, *args, **kwargs) -> dict[str, Path]:
    """Draw one figure per language, ``name.en.svg`` and ``name.zh.svg`` for ``path`` name.svg;
    a photo figure (.png) also for the dark scheme, ``name.en.dark.png`` beside ``name.en.png``.

    ``draw`` takes the figure's data, then ``language=`` and ``path=``; it returns the path.
    Returns each language's (light) drawing.
    """
    import matplotlib

    path = Path(path)
    schemes = ("light", "dark") if path.suffix == ".png" else ("light",)
    drawn = {}
    for language in FIGURE_LANGUAGES:
        for scheme in schemes:
            suffix = f".{language}.dark" if scheme == "dark" else f".{language}"
            with matplotlib.rc_context(figure_style(language, scheme)):
                target = path.with_name(f"{path.stem}{suffix}{path.suffix}")
                done = draw(*args, **kwargs, language=language, path=target)
            if scheme == "light":
                drawn[language] = done
    return drawn


def scheme_color(light: str, dark: str) -> str:
    """The colour for the scheme being drawn (see figure_style): ``light`` or ``dark``."""
    import matplotlib

    return dark if matplotlib.rcParams["figure.facecolor"] == DARK_GROUND else light


def image_grid(panels: dict, height: float, *, columns: int | None = None,
               cmap: str | None = None, colorbar: bool = False):
    """A figure FIGURE_WIDTH wide of images (numpy arrays), ``columns`` to a row (all in one by
    default), each titled, without axes."""
    import matplotlib.pyplot as plt

    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(FIGURE_WIDTH, height), layout="constrained", squeeze=False
    )
    for axis in axes.flat[len(panels):]:
        axis.remove()
    for axis, (title, image) in zip(axes.flat, panels.items(), strict=False):
        shown = axis.imshow(image, cmap=cmap)
        axis.set_title(title, fontsize=9)
        axis.axis("off")
        if colorbar:
            figure.colorbar(shown, ax=axis, shrink=0.8)
    return figure


class FigureTextTooSmall(ValueError):
    """A figure whose text would show smaller than MIN_TEXT_PX in the chapter's column."""


def smallest_text(figure) -> tuple[float, str]:
    """The smallest text the figure draws, in CSS px where the page shows it, and that text."""
    from matplotlib.text import Text

    width = figure.get_figwidth()
    shown = min(width * 100, COLUMN_PX)  # the page shows it at its width, at most the column
    sizes = []
    for text in figure.findobj(Text):
        axes = text.axes
        titles = (axes.title, axes._left_title, axes._right_title) if axes else ()
        drawn = axes is None or axes.axison or text in titles  # axis("off") hides the ticks
        if text.get_visible() and text.get_text().strip() and drawn:
            sizes.append((text.get_fontsize() * shown / (72 * width), text.get_text()))
    return min(sizes, default=(float("inf"), ""))


def save_figure(figure, path: Path) -> Path:
    """Save a matplotlib figure reproducibly and atomically, and close it.

    It first checks that every text of the figure shows at least MIN_TEXT_PX high where the
    page shows the figure, and raises FigureTextTooSmall, naming the figure, if one does not.

    ``.svg`` (line plots): vector, text as paths, no date, fixed ids. ``.png`` (photos): twice
    the display size, for sharp pictures on high-density screens, with no software version or
    timestamp; where pyoxipng is installed it is also losslessly recompressed (smaller).
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    size, text = smallest_text(figure)
    if size < MIN_TEXT_PX:
        plt.close(figure)
        raise FigureTextTooSmall(
            f"{path.name}: {text!r} would show {size:.1f} px high in the chapter, under "
            f"{MIN_TEXT_PX} px: set it larger, or draw the figure narrower (FIGURE_WIDTH)"
        )
    buffer = io.BytesIO()
    try:
        if path.suffix == ".svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        else:
            figure.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    finally:
        plt.close(figure)
    data = buffer.getvalue()
    if path.suffix == ".png":
        try:
            import oxipng
        except ImportError:  # optional: `pip install -e .[figures]`; the figure is only larger
            pass
        else:
            data = oxipng.optimize_from_memory(data, level=3, strip=oxipng.StripChunks.safe())
    with replaced_atomically(path, suffix=path.suffix) as temporary:
        temporary.write_bytes(data)
    return Path(path)
