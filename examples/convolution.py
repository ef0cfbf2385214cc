"""Convolution: kernels on a real photo, the knobs on small tensors, and 3-D convolution."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
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

FIGURES = ("kernels.en.png", "kernels.zh.png", "kernels.en.dark.png", "kernels.zh.dark.png")
TITLES = {
    "zh": {"input (grey)": "输入（灰度）", "vertical edges (Sobel)": "竖直边缘（Sobel）",
           "horizontal edges (Sobel)": "水平边缘（Sobel）", "blur (box 3x3)": "模糊（3x3 均值）",
           "random (Xavier)": "随机（Xavier）"},
}  # fmt: skip


# --8<-- [start:size]
def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Output length of a convolution along one dimension."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# --8<-- [end:size]


# --8<-- [start:kernels]
def classic_kernels() -> dict[str, torch.Tensor]:
    """3x3 kernels with a known effect, shaped (out=1, in=1, 3, 3) for a grey image."""
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    return {
        "vertical edges (Sobel)": sobel_x[None, None],
        "horizontal edges (Sobel)": sobel_x.T[None, None].contiguous(),
        "blur (box 3x3)": torch.full((1, 1, 3, 3), 1 / 9),
    }


def apply_kernel(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    conv = nn.Conv2d(1, 1, kernel_size=3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(kernel)
        return conv(image)


# --8<-- [end:kernels]


def draw(grey: torch.Tensor, outputs: dict[str, torch.Tensor], *, language: str, path):
    titles = TITLES.get(language, {})
    panels = {
        titles.get(title, title): image[0, 0].detach().cpu().numpy()
        for title, image in {"input (grey)": grey, **outputs}.items()
    }
    return save_figure(image_grid(panels, 4.2, columns=3, cmap="gray"), path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("convolution", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    grey = load_photo(grey=True).to(args.device)
    outputs = {name: apply_kernel(grey, k.to(args.device)) for name, k in classic_kernels().items()}
    xavier = nn.Conv2d(1, 1, kernel_size=3, bias=False).to(args.device)
    nn.init.xavier_normal_(xavier.weight)
    with torch.no_grad():
        outputs["random (Xavier)"] = xavier(grey)
    results = {"shapes": {name: tuple(out.shape) for name, out in outputs.items()}, "figures": None}
    if not args.quick:
        results["figures"] = draw_in_languages(draw, args.out / "kernels.png", grey, outputs)
    print(f"input {tuple(grey.shape)} -> {results['shapes']}")
    return results


if __name__ == "__main__":
    main()
