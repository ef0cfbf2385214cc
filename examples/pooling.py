"""Pooling: max and average on a photo, the options on small tensors, unpooling, adaptive."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import math

import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import (
    build_parser,
    draw_in_languages,
    image_grid,
    parse_args,
    save_figure,
    seed_everything,
)
from examples.photo import load_photo

FIGURES = (
    "max_vs_average.en.png",
    "max_vs_average.zh.png",
    "max_vs_average.en.dark.png",
    "max_vs_average.zh.dark.png",
)
WORDS = {"en": "input", "zh": "输入"}


# --8<-- [start:size]
def pool_output_size(size: int, kernel: int, stride: int | None = None, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False) -> int:
    """Output length of a pooling layer along one dimension."""
    stride = stride or kernel
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (math.ceil if ceil_mode else math.floor)(span / stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window may not start in the right padding
    return out


# --8<-- [end:size]


# --8<-- [start:adaptive]
def adaptive_windows(size: int, output: int) -> list[tuple[int, int]]:
    """The [start, end) window of each output position of adaptive pooling."""
    return [
        (math.floor(i * size / output), math.ceil((i + 1) * size / output)) for i in range(output)
    ]


# --8<-- [end:adaptive]


def draw(photo: torch.Tensor, *, language: str, path):
    images = {
        f"{WORDS[language]} {tuple(photo.shape[-2:])}": photo,
        "MaxPool2d(4)": nn.MaxPool2d(4)(photo),
        "AvgPool2d(4)": nn.AvgPool2d(4)(photo),
    }
    panels = {
        f"{title} -> {tuple(image.shape[-2:])}": image[0].permute(1, 2, 0).clamp(0, 1).numpy()
        for title, image in images.items()
    }
    return save_figure(image_grid(panels, 2.8), path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("pooling", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    photo = load_photo().to(args.device)
    results = {
        "max_shape": tuple(nn.MaxPool2d(4)(photo).shape),
        "avg_shape": tuple(nn.AvgPool2d(4)(photo).shape),
        "figures": None,
    }
    if not args.quick:
        results["figures"] = draw_in_languages(draw, args.out / "max_vs_average.png", photo.cpu())
    print(f"photo {tuple(photo.shape)} -> max {results['max_shape']}, avg {results['avg_shape']}")
    return results


if __name__ == "__main__":
    main()
