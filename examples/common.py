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
CJK_FONT = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk


def figure_style(language: str) -> dict:
    """matplotlib settings for a figure in ``language``: its font, reproducible SVG output.

    Chinese labels need a CJK font; without one matplotlib would draw empty boxes, so a
    missing font is an error that says what to install.
    """
    from matplotlib import font_manager

    style = {"svg.hashsalt": "pytorch-models", "svg.fonttype": "path"}
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
    """Draw one figure per language, ``name.en.svg`` and ``name.zh.svg`` for ``path`` name.svg.

    ``draw`` takes the figure's data, then ``language=`` and ``path=``; it returns the path.
    """
    import matplotlib

    path = Path(path)
    drawn = {}
    for language in FIGURE_LANGUAGES:
        with matplotlib.rc_context(figure_style(language)):
            target = path.with_name(f"{path.stem}.{language}{path.suffix}")
            drawn[language] = draw(*args, **kwargs, language=language, path=target)
    return drawn


def image_row(panels: dict, figsize: tuple[float, float], *, cmap: str | None = None,
              colorbar: bool = False):
    """A figure with one row of images (numpy arrays), each titled, without axes."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(panels), figsize=figsize, layout="constrained")
    for axis, (title, image) in zip(axes, panels.items(), strict=True):
        shown = axis.imshow(image, cmap=cmap)
        axis.set_title(title, fontsize=9)
        axis.axis("off")
        if colorbar:
            figure.colorbar(shown, ax=axis, shrink=0.8)
    return figure


def save_figure(figure, path: Path) -> Path:
    """Save a matplotlib figure reproducibly and atomically, and close it.

    ``.svg`` (line plots): vector, text as paths, no date, fixed ids. ``.png`` (photos): twice
    the display size, for sharp pictures on high-density screens, with no software version or
    timestamp; where pyoxipng is installed it is also losslessly recompressed (smaller).
    """
    import matplotlib.pyplot as plt

    path = Path(path)
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
