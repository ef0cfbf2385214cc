"""Weight initialization: a 100-layer MLP whose activations explode, vanish, or keep their scale."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path

# isort: split
# --8<-- [start:imports]
import math
from collections.abc import Callable
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

FIGURES = ("std_per_layer.en.svg", "std_per_layer.zh.svg")
WORDS = {
    "en": {"layer": "layer", "std": "std of the layer's output",
           "forward": "forward: output std per layer",
           "grad": "gradient norm at the layer's output",
           "backward": "backward: gradient norm per layer"},
    "zh": {"layer": "层", "std": "该层输出的标准差", "forward": "前向传播：每层输出的标准差",
           "grad": "该层输出处的梯度范数", "backward": "反向传播：每层的梯度范数"},
}  # fmt: skip


# --8<-- [start:mlp]
class DeepMLP(nn.Module):
    """``depth`` square linear layers, each followed by the same activation (or none)."""

    def __init__(self, width: int = 256, depth: int = 100, activation: str = "none") -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.activation = {"none": nn.Identity(), "tanh": nn.Tanh(), "relu": nn.ReLU()}[activation]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        outputs = []
        for layer in self.layers:
            x = self.activation(layer(x))
            x.retain_grad()  # keep each layer's gradient for the second panel
            outputs.append(x)
        return x, outputs


# --8<-- [end:mlp]


# --8<-- [start:schemes]
def normal_1(w: torch.Tensor) -> None:
    nn.init.normal_(w, mean=0.0, std=1.0)


def normal_1_over_n(w: torch.Tensor) -> None:
    nn.init.normal_(w, mean=0.0, std=math.sqrt(1.0 / w.shape[1]))


def xavier_tanh(w: torch.Tensor) -> None:
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh"))


def xavier_plain(w: torch.Tensor) -> None:
    nn.init.xavier_uniform_(w)


def kaiming_relu(w: torch.Tensor) -> None:
    nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")


# One experiment, one initializer, chosen by name: (activation, initializer).
SCHEMES: dict[str, tuple[str, Callable[[torch.Tensor], None]]] = {
    "no activation, N(0, 1)": ("none", normal_1),
    "no activation, N(0, 1/n)": ("none", normal_1_over_n),
    "tanh, N(0, 1/n)": ("tanh", normal_1_over_n),
    "tanh, Xavier": ("tanh", xavier_tanh),
    "ReLU, Xavier": ("relu", xavier_plain),
    "ReLU, Kaiming": ("relu", kaiming_relu),
}
# --8<-- [end:schemes]


# --8<-- [start:run]
@dataclass
class Run:
    stds: list[float]  # output std after every layer
    grad_norms: list[float]  # gradient norm at every layer's output, after one backward pass

    @property
    def first_non_finite(self) -> int | None:
        """The first layer (counting from 1) whose output std is inf or NaN."""
        return next((i for i, s in enumerate(self.stds, 1) if not math.isfinite(s)), None)


def run(scheme: str, batch: int = 16, width: int = 256, depth: int = 100, device="cpu") -> Run:
    activation, initialize = SCHEMES[scheme]
    model = DeepMLP(width, depth, activation).to(device)
    for layer in model.layers:
        initialize(layer.weight)
    x = torch.randn(batch, width).to(device)  # unit variance inputs, drawn on the CPU
    out, outputs = model(x)
    out.sum().backward()
    # Stds on the CPU: CUDA's float32 std would overflow about 15 layers sooner than the CPU's.
    return Run(
        stds=[o.cpu().std().item() for o in outputs],
        grad_norms=[o.grad.norm().item() for o in outputs],
    )


# --8<-- [end:run]


# --8<-- [start:gain]
def measured_gain(activation: Callable[[torch.Tensor], torch.Tensor], samples=1_000_000) -> float:
    """std(x) / std(f(x)) for x ~ N(0, 1): how much f shrinks the spread of its input."""
    x = torch.randn(samples)
    return (x.std() / activation(x).std()).item()


# --8<-- [end:gain]


def initializers() -> dict[str, str]:
    """Every public initializer in torch.nn.init with the first line of its docstring."""
    return {
        name: (inspect.getdoc(getattr(nn.init, name)) or "").splitlines()[0]
        for name in sorted(dir(nn.init))
        if name.endswith("_") and not name.startswith("_") and callable(getattr(nn.init, name))
    }


def draw(runs: dict[str, Run], *, language: str, path: Path) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, (left, right) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.6), layout="constrained")
    for scheme, result in runs.items():
        layers = range(1, len(result.stds) + 1)
        finite = [s if math.isfinite(s) else float("nan") for s in result.stds]
        left.plot(layers, finite, lw=1.5, label=scheme)
        grads = [g if math.isfinite(g) and g > 0 else float("nan") for g in result.grad_norms]
        right.plot(layers, grads, lw=1.5, label=scheme)
    left.set(xlabel=words["layer"], ylabel=words["std"], yscale="log", title=words["forward"])
    right.set(xlabel=words["layer"], ylabel=words["grad"], yscale="log", title=words["backward"])
    left.legend()
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("weight_init", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    runs = {}
    for scheme in SCHEMES:
        seed_everything(args.seed)
        runs[scheme] = run(scheme, device=args.device)
    results = {"runs": runs, "figures": None}
    if not args.quick:
        results["figures"] = draw_in_languages(draw, args.out / "std_per_layer.svg", runs)
    for scheme, result in runs.items():
        last = result.stds[-1]
        print(
            f"{scheme:<26} std after layer 100: {last:9.3g}  first non-finite layer: "
            f"{result.first_non_finite}"
        )
    return results


if __name__ == "__main__":
    main()
