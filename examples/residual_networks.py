"""Residual networks: the basic block, ResNet-18 checked against torchvision's, and a deep stack
trained with and without shortcuts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# isort: split
# --8<-- [start:imports]
from dataclasses import dataclass

import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import (
    FIGURE_WIDTH,
    build_parser,
    count_parameters,
    draw_in_languages,
    parse_args,
    save_figure,
    seed_everything,
)

FIGURES = ("plain_vs_residual.en.svg", "plain_vs_residual.zh.svg")
WORDS = {
    "en": {"layer": "linear layer (1 = first)", "grad": "gradient norm of the weights",
           "backward": "one backward pass, before training", "step": "training step",
           "loss": "cross-entropy loss", "training": "training",
           "plain": "plain", "residual": "with shortcuts"},
    "zh": {"layer": "线性层（1 为第一层）", "grad": "权值梯度的范数",
           "backward": "训练前的一次反向传播", "step": "训练步数",
           "loss": "交叉熵损失", "training": "训练",
           "plain": "普通堆叠", "residual": "带残差连接"},
}  # fmt: skip


# --8<-- [start:block]
class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the input (or its downsampled copy), then ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None  # the identity shortcut: x itself
        if stride != 1 or in_channels != out_channels:  # x must be brought to F(x)'s shape
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + shortcut)


# --8<-- [end:block]


# --8<-- [start:resnet]
def stage(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    """Two blocks; the first may halve the size and change the channels, the second keeps both."""
    return nn.Sequential(
        BasicBlock(in_channels, out_channels, stride), BasicBlock(out_channels, out_channels)
    )


class ResNet18(nn.Module):
    """A stem, four stages of two basic blocks each, global average pooling, one linear layer."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = stage(64, 64, stride=1)
        self.layer2 = stage(64, 128, stride=2)
        self.layer3 = stage(128, 256, stride=2)
        self.layer4 = stage(256, 512, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# --8<-- [end:resnet]


# --8<-- [start:stack]
class TwoLayers(nn.Module):
    """Linear-ReLU-linear, with or without the input added back, then ReLU."""

    def __init__(self, width: int, shortcut: bool) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(width, width)
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.fc2(self.relu(self.fc1(x)))
        if self.shortcut:
            out = out + x
        return self.relu(out)


class DeepStack(nn.Module):
    """``depth`` linear layers: one in, (depth - 2) / 2 pairs, one out; shortcuts or none."""

    def __init__(self, depth: int, shortcut: bool, width: int = 32, features: int = 16,
                 classes: int = 4) -> None:  # fmt: skip
        super().__init__()
        self.stem = nn.Linear(features, width)
        self.relu = nn.ReLU()
        self.blocks = nn.Sequential(*(TwoLayers(width, shortcut) for _ in range((depth - 2) // 2)))
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.relu(self.stem(x))))


# --8<-- [end:stack]


# --8<-- [start:train]
def make_data(generator: torch.Generator, samples: int = 256, features: int = 16,
              classes: int = 4) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """Points scattered around one random centre per class."""
    centres = torch.randn(classes, features, generator=generator)
    labels = torch.randint(classes, (samples,), generator=generator)
    points = centres[labels] + torch.randn(samples, features, generator=generator)
    return points, labels


@dataclass
class Run:
    grad_norms: list[float]  # norm of each linear layer's weight gradient, first layer first
    losses: list[float]  # the loss before each training step


def train(model: DeepStack, x: torch.Tensor, y: torch.Tensor, steps: int = 30,
          lr: float = 0.05) -> Run:  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(x), y).backward()  # one backward pass at the initial weights, to look at
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    grad_norms = [layer.weight.grad.norm().item() for layer in layers]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return Run(grad_norms, losses)


# --8<-- [end:train]


# --8<-- [start:compare]
def compare(
    seed: int = 0, depth: int = 32, steps: int = 30, device: torch.device | str = "cpu"
) -> dict[str, Run]:
    """The same data, the same initial layers, the same training; only the shortcuts differ."""
    runs = {}
    for shortcut in (False, True):
        generator = torch.Generator().manual_seed(seed)
        x, y = make_data(generator)
        torch.manual_seed(seed)  # the same initial weights for both stacks
        model = DeepStack(depth, shortcut).to(device)
        runs["residual" if shortcut else "plain"] = train(model, x.to(device), y.to(device), steps)
    return runs


# --8<-- [end:compare]


@dataclass
class TorchvisionCheck:
    parameters: int  # ours
    torchvision_parameters: int
    missing_keys: list[str]  # from load_state_dict(strict=True)
    unexpected_keys: list[str]
    output_shape: tuple[int, ...]
    same_output: bool  # the same weights give the same output


def torchvision_check(device: torch.device | str = "cpu") -> TorchvisionCheck:
    """Our ResNet-18 against torchvision's: parameters, a strict state_dict load, the output."""
    import torchvision

    theirs = torchvision.models.resnet18(weights=None).to(device).eval()
    ours = ResNet18().to(device).eval()
    loaded = ours.load_state_dict(theirs.state_dict(), strict=True)
    images = torch.randn(2, 3, 64, 64, device=device)
    with torch.no_grad():
        mine, reference = ours(images), theirs(images)
    return TorchvisionCheck(
        parameters=count_parameters(ours),
        torchvision_parameters=count_parameters(theirs),
        missing_keys=list(loaded.missing_keys),
        unexpected_keys=list(loaded.unexpected_keys),
        output_shape=tuple(mine.shape),
        same_output=torch.allclose(mine, reference, rtol=1e-5, atol=1e-5),
    )


def block_shapes() -> dict[str, tuple[int, ...]]:
    """The output shape of an identity block and of a downsampling block."""
    x = torch.randn(2, 64, 16, 16)
    return {
        "identity": tuple(BasicBlock(64, 64)(x).shape),
        "downsample": tuple(BasicBlock(64, 128, stride=2)(x).shape),
    }


def draw(runs: dict[str, Run], *, language: str, path: Path) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, (left, right) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.4), layout="constrained")
    for name, run in runs.items():
        left.plot(range(1, len(run.grad_norms) + 1), run.grad_norms, lw=1.5, label=words[name])
        right.plot(range(1, len(run.losses) + 1), run.losses, lw=1.5, label=words[name])
    left.set(xlabel=words["layer"], ylabel=words["grad"], yscale="log", title=words["backward"])
    right.set(xlabel=words["step"], ylabel=words["loss"], title=words["training"])
    left.legend()
    return save_figure(figure, path)


@dataclass
class Results:
    blocks: dict[str, tuple[int, ...]]  # block_shapes
    check: TorchvisionCheck
    runs: dict[str, Run]  # "plain" and "residual"
    figures: dict[str, Path] | None  # None with --quick


def main(argv: Sequence[str] | None = None) -> Results:
    parser = build_parser("residual_networks", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    blocks = block_shapes()
    check = torchvision_check(args.device)
    runs = compare(seed=args.seed, device=args.device)
    figures = None
    if not args.quick:
        figures = draw_in_languages(draw, args.out / "plain_vs_residual.svg", runs)
    print(
        f"ResNet-18: {check.parameters:,} parameters, "
        f"torchvision {check.torchvision_parameters:,}; same output: {check.same_output}"
    )
    for name, run in runs.items():
        print(
            f"{name:<9} first-layer gradient {run.grad_norms[0]:.2e}, "
            f"loss {run.losses[0]:.3f} -> {run.losses[-1]:.3f}"
        )
    return Results(blocks=blocks, check=check, runs=runs, figures=figures)


if __name__ == "__main__":
    main()
