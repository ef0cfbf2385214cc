"""Logistic regression: a linear classifier for two Gaussian classes, trained with SGD."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
from dataclasses import dataclass, field

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

FIGURES = ("boundary.en.svg", "boundary.zh.svg")
WORDS = {
    "en": {"class": "class {}", "iteration": "iteration {}", "boundary": "decision boundary w.x + b = 0",
           "momentum": "SGD, momentum {}", "x": "iteration", "loss": "BCE loss",
           "loss_title": "loss until accuracy > 0.99"},
    "zh": {"class": "类别 {}", "iteration": "第 {} 次迭代", "boundary": "决策边界 w.x + b = 0",
           "momentum": "SGD，动量 {}", "x": "迭代", "loss": "二元交叉熵损失",
           "loss_title": "准确率超过 0.99 之前的损失"},
}  # fmt: skip


# --8<-- [start:data]
def make_data(n: int = 100, generator: torch.Generator | None = None):
    """Two Gaussian clouds of ``n`` points each: class 0 around (3.3, 3.3), class 1 around (-1.3, -1.3)."""
    center = torch.tensor([2.3, 2.3])
    x0 = torch.randn(n, 2, generator=generator) + center + 1
    x1 = torch.randn(n, 2, generator=generator) - center + 1
    x = torch.cat([x0, x1])
    y = torch.cat([torch.zeros(n), torch.ones(n)])
    return x, y


# --8<-- [end:data]


# --8<-- [start:model]
class LogisticRegression(nn.Module):
    """p(class 1 | x) = sigmoid(w . x + b)."""

    def __init__(self, in_features: int = 2) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigmoid(self.linear(x)).squeeze(1)


# --8<-- [end:model]


# --8<-- [start:train]
@dataclass
class Training:
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    boundaries: dict[int, tuple[float, float, float]] = field(
        default_factory=dict
    )  # it -> w0, w1, b

    @property
    def iterations(self) -> int:
        return len(self.losses)


def train(x, y, momentum: float = 0.9, lr: float = 0.1, max_iterations: int = 1000,
          target: float = 0.99, snapshots=(1, 5, 20)) -> tuple[LogisticRegression, Training]:
    """Train until accuracy exceeds ``target``, checking after every iteration."""
    model = LogisticRegression().to(x.device)
    loss_fn = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    log = Training()
    for iteration in range(1, max_iterations + 1):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():  # loss and accuracy of the model this step produced
            p = model(x)
            log.losses.append(loss_fn(p, y).item())
            correct = ((p >= 0.5).float() == y).sum().item()
        accuracy = correct / len(y)  # in Python: float32 would round 198/200 up past 0.99
        log.accuracies.append(accuracy)
        if iteration in snapshots or accuracy > target:
            (w0, w1), b = model.linear.weight[0].tolist(), model.linear.bias.item()
            log.boundaries[iteration] = (w0, w1, b)
        if accuracy > target:
            break
    return model, log


# --8<-- [end:train]


def draw(x, y, log: Training, with_momentum: Training, without: Training, *, language: str,
         path):
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, (left, right) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.4), layout="constrained")
    x, y = x.cpu().numpy(), y.cpu().numpy()
    left.scatter(*x[y == 0].T, s=12, color="#d62728", label=words["class"].format(0))
    left.scatter(*x[y == 1].T, s=12, color="#1f77b4", label=words["class"].format(1))
    line_x = torch.tensor([-4.0, 6.0]).numpy()
    for (iteration, (w0, w1, b)), shade in zip(
        log.boundaries.items(), (0.75, 0.55, 0.35, 0.0), strict=False
    ):
        left.plot(
            line_x,
            (-w0 * line_x - b) / w1,
            color=str(shade),
            lw=1.5,
            label=words["iteration"].format(iteration),
        )
    left.set(xlim=(-4, 6), ylim=(-4, 6), xlabel="x1", ylabel="x2", title=words["boundary"])
    left.legend()
    right.plot(range(1, without.iterations + 1), without.losses,
               label=words["momentum"].format(0))
    right.plot(range(1, with_momentum.iterations + 1), with_momentum.losses,
               label=words["momentum"].format(0.9))
    right.set(xlabel=words["x"], ylabel=words["loss"], title=words["loss_title"])
    right.legend()
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("logistic_regression", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    runs = {}
    for momentum in (0.9, 0.0):
        generator = seed_everything(args.seed)
        x, y = make_data(generator=generator)
        x, y = x.to(args.device), y.to(args.device)
        runs[momentum] = train(x, y, momentum=momentum)
    model, log = runs[0.9]
    results = {"model": model, "log": log, "iterations": {m: r[1].iterations for m, r in runs.items()},
               "figures": None}
    if not args.quick:
        results["figures"] = draw_in_languages(draw, args.out / "boundary.svg", x, y, log, log,
                                               runs[0.0][1])
    print(f"accuracy > 0.99 after {log.iterations} iterations with momentum 0.9, "
          f"{runs[0.0][1].iterations} without")
    return results


if __name__ == "__main__":
    main()
