"""Transposed convolution: convolution as a matrix product, its transpose, and checkerboards."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import torch
import torch.nn.functional as F
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

FIGURES = ("checkerboard.en.svg", "checkerboard.zh.svg")
TITLES = {
    "en": ("input: constant 8x8", "transposed conv, stride 2, kernel 3", "resize, then 3x3 conv"),
    "zh": ("输入：常数 8x8", "转置卷积，步长 2，卷积核 3", "先缩放，再做 3x3 卷积"),
}


# --8<-- [start:matrix]
def conv_matrix(kernel: torch.Tensor, size: int) -> torch.Tensor:
    """The matrix C with conv2d(x, kernel) == C @ x.flatten(), for a size x size input.

    Row r holds the kernel placed at output position r; with no padding and stride 1 a
    3x3 kernel on a 4x4 input gives 2x2 = 4 outputs, so C is 4 x 16.
    """
    k = kernel.shape[-1]
    out = size - k + 1
    rows = []
    for i in range(out):
        for j in range(out):
            placed = torch.zeros(size, size)
            placed[i : i + k, j : j + k] = kernel
            rows.append(placed.flatten())
    return torch.stack(rows)


# --8<-- [end:matrix]


# --8<-- [start:size]
def transposed_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                           output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution along one dimension."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


# --8<-- [end:size]


# --8<-- [start:checkerboard]
def upsample_transposed(x: torch.Tensor) -> torch.Tensor:
    """Double the size with a stride-2, 3x3 transposed convolution of all-equal weights."""
    up = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, bias=False)
    nn.init.constant_(up.weight, 1.0)
    return up(x)


def upsample_resize_conv(x: torch.Tensor) -> torch.Tensor:
    """The common fix: resize first (nearest neighbour), then an ordinary 3x3 convolution."""
    conv = nn.Conv2d(1, 1, kernel_size=3, padding=1, padding_mode="replicate", bias=False)
    nn.init.constant_(conv.weight, 1.0)
    return conv(F.interpolate(x, scale_factor=2, mode="nearest"))


# --8<-- [end:checkerboard]


def draw(flat: torch.Tensor, *, language: str, path):
    images = (flat, upsample_transposed(flat), upsample_resize_conv(flat))
    panels = {
        title: image[0, 0].detach().numpy()
        for title, image in zip(TITLES[language], images, strict=True)
    }
    return save_figure(image_grid(panels, 2.6, cmap="viridis", colorbar=True), path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("transposed_convolution", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    flat = torch.ones(1, 1, 8, 8)
    with torch.no_grad():
        checker = upsample_transposed(flat)
        fixed = upsample_resize_conv(flat)
    results = {
        "transposed_values": sorted(set(checker[0, 0, 2:-2, 2:-2].flatten().tolist())),
        "resize_values": sorted(set(fixed[0, 0].flatten().tolist())),
        "figures": None,
    }
    if not args.quick:
        with torch.no_grad():
            results["figures"] = draw_in_languages(draw, args.out / "checkerboard.svg", flat)
    print(f"inside values: transposed {results['transposed_values']}, "
          f"resize+conv {results['resize_values']}")
    return results


if __name__ == "__main__":
    main()
