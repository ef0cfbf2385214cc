"""Normalization layers: BatchNorm, LayerNorm and GroupNorm computed by hand, and a 100-layer
network that BatchNorm keeps at unit scale."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# isort: split
# --8<-- [start:imports]
import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import (
    FIGURE_WIDTH,
    build_parser,
    draw_in_languages,
    parse_args,
    save_figure,
    seed_everything,
)
from examples.weight_init import normal_1

FIGURES = ("std_per_layer.en.svg", "std_per_layer.zh.svg")
WORDS = {
    "en": {"layer": "layer", "std": "std of the output", "plain": "without BatchNorm",
           "normed": "with BatchNorm: after BatchNorm1d",
           "linear": "with BatchNorm: linear output, before BatchNorm1d",
           "title": "100 linear layers, weights N(0, 1): output std per layer"},
    "zh": {"layer": "层", "std": "输出的标准差", "plain": "不加 BatchNorm",
           "normed": "加 BatchNorm：BatchNorm1d 之后",
           "linear": "加 BatchNorm：线性层的输出，BatchNorm1d 之前",
           "title": "100 个线性层，权值取自 N(0, 1)：每层输出的标准差"},
}  # fmt: skip
BAND = (0.99, 1.01)  # where every BatchNorm output's std stays


# --8<-- [start:batch_stats]
def batch_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-channel mean, biased and unbiased variance of an (N, C, ...) input.

    The channel is dimension 1; the statistics run over every other dimension: the batch, and
    for images the height and width as well.
    """
    dims = [0, *range(2, x.dim())]
    mean = x.mean(dim=dims)
    biased = x.var(dim=dims, correction=0)  # divides by the count m
    unbiased = x.var(dim=dims, correction=1)  # divides by m - 1
    return mean, biased, unbiased


def normalize(
    x: torch.Tensor,
    mean: torch.Tensor,
    var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias, each a per-channel vector along dim 1."""
    shape = [1, -1] + [1] * (x.dim() - 2)  # (1, C, 1, 1) for images: broadcasts over N, H, W
    x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return x_hat * weight.view(shape) + bias.view(shape)


# --8<-- [end:batch_stats]


# --8<-- [start:momentum]
def update_running(
    running: torch.Tensor, batch_stat: torch.Tensor, momentum: float = 0.1
) -> torch.Tensor:
    """BatchNorm's rule for its buffers: momentum is the weight of the new batch."""
    return (1 - momentum) * running + momentum * batch_stat


# --8<-- [end:momentum]


# --8<-- [start:per_sample]
def layer_norm_by_hand(x: torch.Tensor, last_dims: int, eps: float = 1e-5) -> torch.Tensor:
    """Normalize each sample (each token) over its last ``last_dims`` dimensions."""
    dims = tuple(range(-last_dims, 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, correction=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def group_norm_by_hand(x: torch.Tensor, groups: int, eps: float = 1e-5) -> torch.Tensor:
    """Split the channels of each sample into ``groups``; normalize each group over its channels
    and all their positions."""
    grouped = x.reshape(x.shape[0], groups, -1)  # (N, G, C/G * H * W)
    mean = grouped.mean(dim=-1, keepdim=True)
    var = grouped.var(dim=-1, correction=0, keepdim=True)
    return ((grouped - mean) / torch.sqrt(var + eps)).reshape(x.shape)


# --8<-- [end:per_sample]


# --8<-- [start:deep]
class DeepNet(nn.Module):
    """``depth`` blocks, each a square linear layer followed by BatchNorm1d (or nothing)."""

    def __init__(self, width: int = 256, depth: int = 100, batch_norm: bool = False) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            nn.Sequential(OrderedDict(
                linear=nn.Linear(width, width, bias=False),  # BatchNorm's bias takes its place
                norm=nn.BatchNorm1d(width) if batch_norm else nn.Identity(),
            ))
            for _ in range(depth)
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Every block's linear output and its normalized output."""
        linear_outputs, outputs = [], []
        for block in self.blocks:
            x = block.linear(x)
            linear_outputs.append(x)
            x = block.norm(x)
            outputs.append(x)
        return linear_outputs, outputs


# --8<-- [end:deep]


# --8<-- [start:experiment]
@dataclass
class DeepRun:
    stds: list[float]  # std of every block's output
    linear_stds: list[float]  # std of every linear layer's output, before the normalization

    @property
    def first_non_finite(self) -> int | None:
        """The first layer (counting from 1) whose output std is inf or NaN."""
        return next((i for i, s in enumerate(self.stds, 1) if not math.isfinite(s)), None)


def run_deep(
    batch_norm: bool,
    batch: int = 16,
    width: int = 256,
    depth: int = 100,
    train: bool = True,
    device: torch.device | str = "cpu",
) -> DeepRun:
    model = DeepNet(width, depth, batch_norm)
    for block in model.blocks:
        normal_1(block.linear.weight)  # N(0, 1): the weight-init chapter's exploding case
    model.to(device).train(train)  # weights and input drawn on the CPU: same numbers on a GPU
    x = torch.randn(batch, width).to(device)
    with torch.no_grad():
        linear_outputs, outputs = model(x)
    # Stds on the CPU: CUDA's float32 std would overflow about 15 layers sooner than the CPU's.
    return DeepRun(
        stds=[o.cpu().std().item() for o in outputs],
        linear_stds=[o.cpu().std().item() for o in linear_outputs],
    )


# --8<-- [end:experiment]


def compare_with_torch(device: torch.device | str = "cpu") -> dict[str, bool]:
    """Each claim of the chapter about torch's layers, checked on fresh random inputs."""
    checks = {}
    x = (torch.randn(8, 3, 4, 4) * 3 + 2).to(device)
    bn = nn.BatchNorm2d(3).to(device)
    mean, biased, unbiased = batch_statistics(x)
    y_train = bn(x)
    checks["BatchNorm2d, training: batch statistics"] = torch.allclose(
        y_train, normalize(x, mean, biased, bn.weight, bn.bias, bn.eps), atol=1e-5
    )
    checks["running_mean by the momentum rule"] = torch.allclose(
        bn.running_mean, update_running(torch.zeros_like(mean), mean, bn.momentum)
    )
    checks["running_var from the unbiased variance"] = torch.allclose(
        bn.running_var, update_running(torch.ones_like(unbiased), unbiased, bn.momentum)
    )
    checks["num_batches_tracked counts the call"] = bn.num_batches_tracked.item() == 1
    bn.eval()
    y_eval = bn(x)
    checks["BatchNorm2d, eval: running statistics"] = torch.allclose(
        y_eval,
        normalize(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps),
        atol=1e-5,
    )
    checks["train and eval outputs differ"] = not torch.allclose(y_train, y_eval, atol=1e-3)
    tokens = torch.randn(2, 5, 8, device=device)
    checks["LayerNorm: per token"] = torch.allclose(
        nn.LayerNorm(8).to(device)(tokens), layer_norm_by_hand(tokens, 1), atol=1e-5
    )
    checks["GroupNorm: per sample and group"] = torch.allclose(
        nn.GroupNorm(3, 6).to(device)(torch.cat([x, x], dim=1)),
        group_norm_by_hand(torch.cat([x, x], dim=1), 3),
        atol=1e-5,
    )
    try:
        nn.BatchNorm1d(4).to(device)(torch.randn(1, 4, device=device))
        checks["BatchNorm1d refuses a batch of one"] = False
    except ValueError:
        checks["BatchNorm1d refuses a batch of one"] = True
    return checks


def draw(runs: dict[str, DeepRun], *, language: str, path: Path) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, axis = plt.subplots(figsize=(FIGURE_WIDTH, 3.4), layout="constrained")
    plain, normed = runs["plain"], runs["batch_norm"]
    layers = range(1, len(plain.stds) + 1)
    finite = [s if math.isfinite(s) else float("nan") for s in plain.stds]
    axis.plot(layers, finite, lw=1.5, label=words["plain"])
    axis.plot(layers, normed.linear_stds, lw=1.5, ls="--", label=words["linear"])
    axis.plot(layers, normed.stds, lw=1.5, label=words["normed"])
    axis.set(xlabel=words["layer"], ylabel=words["std"], yscale="log", title=words["title"])
    axis.legend()
    return save_figure(figure, path)


@dataclass
class Results:
    checks: dict[str, bool]  # compare_with_torch
    runs: dict[str, DeepRun]  # "plain" and "batch_norm"
    figures: dict[str, Path] | None  # None with --quick


def main(argv: Sequence[str] | None = None) -> Results:
    parser = build_parser("normalization", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    checks = compare_with_torch(args.device)
    runs = {}
    for name, batch_norm in (("plain", False), ("batch_norm", True)):
        seed_everything(args.seed)
        runs[name] = run_deep(batch_norm, device=args.device)
    figures = None
    if not args.quick:
        figures = draw_in_languages(draw, args.out / "std_per_layer.svg", runs)
    for claim, holds in checks.items():
        print(f"{claim:<42} {holds}")
    low, high = BAND
    for name, result in runs.items():
        within = all(low <= s <= high for s in result.stds)
        print(
            f"{name:<10} first non-finite std: layer {result.first_non_finite}; "
            f"every std within [{low}, {high}]: {within}"
        )
    return Results(checks=checks, runs=runs, figures=figures)


if __name__ == "__main__":
    main()
