"""Linear regression y = w * x + b, fitted by gradient descent written out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --8<-- [start:imports]
import torch

# --8<-- [end:imports]
from examples.common import (
    FIGURE_WIDTH,
    build_parser,
    draw_in_languages,
    parse_args,
    save_figure,
    seed_everything,
)

FIGURES = ("fit.en.svg", "fit.zh.svg")
WORDS = {
    "en": {"data": "data", "true": "y = 2x + 5 (true)", "fit": "data and fitted line",
           "iteration": "iteration", "loss": "loss (log scale)", "loss_title": "loss",
           "threshold": "threshold"},
    "zh": {"data": "数据", "true": "y = 2x + 5（真实）", "fit": "数据与拟合直线",
           "iteration": "迭代", "loss": "损失（对数刻度）", "loss_title": "损失",
           "threshold": "阈值"},
}  # fmt: skip


@dataclass
class Fit:
    """What one training run produced."""

    w: float
    b: float
    losses: list[float] = field(repr=False)
    threshold: float
    figures: dict[str, Path] | None = None  # one per language

    @property
    def iterations(self) -> int:
        return len(self.losses)

    @property
    def first_below_threshold(self) -> int | None:
        """The first iteration (counting from 1) whose loss is below the threshold."""
        return next((i for i, loss in enumerate(self.losses, 1) if loss < self.threshold), None)


# --8<-- [start:data]
def make_data(n: int = 20, generator: torch.Generator | None = None):
    """Points on the line y = 2x + 5, with x in [0, 10) and unit Gaussian noise added to y."""
    x = torch.rand(n, 1, generator=generator) * 10
    noise = torch.randn(n, 1, generator=generator)
    y = 2 * x + 5 + noise
    return x, y


# --8<-- [end:data]


# --8<-- [start:loss]
def half_mse(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean of 0.5 * (prediction - target)^2: the 0.5 cancels the 2 from the derivative."""
    return (0.5 * (y_pred - y) ** 2).mean()


# --8<-- [end:loss]


# --8<-- [start:train]
def train(x, y, lr=0.03, iterations=1000, stop_below=None, generator=None):
    """Fit w and b by gradient descent; stop early once the loss is below ``stop_below``."""
    # Model: one weight and one bias, both tracked by autograd.
    w = torch.randn(1, generator=generator).to(x.device).requires_grad_()
    b = torch.zeros(1, device=x.device, requires_grad=True)
    losses = []
    for _ in range(iterations):
        y_pred = w * x + b  # forward pass
        loss = half_mse(y_pred, y)  # loss
        loss.backward()  # gradients land in w.grad and b.grad
        with torch.no_grad():  # optimizer step, by hand
            w -= lr * w.grad
            b -= lr * b.grad  # b.grad, not w.grad
        w.grad.zero_()  # gradients accumulate unless cleared
        b.grad.zero_()
        losses.append(loss.item())
        if stop_below is not None and losses[-1] < stop_below:
            break
    return w.item(), b.item(), losses


# --8<-- [end:train]


def draw(x, y, w: float, b: float, losses: list[float], threshold: float, *, language: str,
         path: Path) -> Path:
    """Two panels: the data with the fitted line, and the loss at every iteration."""
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, (left, right) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.2), layout="constrained")
    x_cpu, y_cpu = x.cpu().squeeze(1).numpy(), y.cpu().squeeze(1).numpy()
    left.scatter(x_cpu, y_cpu, s=18, color="#1f77b4", label=words["data"])
    line_x = torch.tensor([0.0, 10.0]).numpy()
    left.plot(line_x, w * line_x + b, color="#d62728", lw=2, label=f"y = {w:.2f}x + {b:.2f}")
    left.plot(line_x, 2 * line_x + 5, color="0.4", lw=1, ls="--", label=words["true"])
    left.set(xlabel="x", ylabel="y", title=words["fit"])
    left.legend(loc="upper left")
    steps = range(1, len(losses) + 1)
    right.plot(steps, losses, color="#2ca02c", lw=1.5)
    right.axhline(threshold, color="0.4", lw=1, ls="--",
                  label=f"{words['threshold']} {threshold:g}")
    right.set(xlabel=words["iteration"], ylabel=words["loss"], yscale="log",
              title=words["loss_title"])
    right.legend()
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> Fit:
    parser = build_parser("linear_regression", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    parser.add_argument("--lr", type=float, default=0.03, help="learning rate (default: 0.03)")
    parser.add_argument(
        "--iterations", type=int, default=1000, help="most iterations to run (default: 1000)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=1.0,
        help="the loss level whose first crossing is reported (default: 1)",
    )
    parser.add_argument(
        "--stop-at-threshold",
        action="store_true",
        help="stop as soon as the loss is below --threshold instead of running every iteration",
    )
    args = parse_args(parser, argv)
    generator = seed_everything(args.seed)
    x, y = make_data(generator=generator)
    x, y = x.to(args.device), y.to(args.device)
    w, b, losses = train(
        x,
        y,
        lr=args.lr,
        iterations=args.iterations,
        stop_below=args.threshold if args.stop_at_threshold else None,
        generator=generator,
    )
    fit = Fit(w=w, b=b, losses=losses, threshold=args.threshold)
    if not args.quick:
        fit.figures = draw_in_languages(draw, args.out / "fit.svg", x, y, w, b, losses,
                                        args.threshold)
    print(
        f"iterations: {fit.iterations}, loss first below {args.threshold:g} at iteration "
        f"{fit.first_below_threshold}, final loss {losses[-1]:.3f}, w = {w:.2f}, b = {b:.2f}"
    )
    return fit


if __name__ == "__main__":
    main()
