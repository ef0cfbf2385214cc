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


def save_figure(figure, path: Path) -> Path:
    """Save a matplotlib figure as a small, reproducible PNG, atomically, and close it.

    The PNG carries no software version or timestamp, so two runs with the same numbers give
    the same bytes; where pyoxipng is installed it is also losslessly recompressed (smaller).
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    data = buffer.getvalue()
    try:
        import oxipng
    except ImportError:  # optional: `pip install -e .[figures]`; the figure is only larger
        pass
    else:
        data = oxipng.optimize_from_memory(data, level=3, strip=oxipng.StripChunks.safe())
    with replaced_atomically(path, suffix=".png") as temporary:
        temporary.write_bytes(data)
    return Path(path)
