"""Activation functions and their derivatives: saturation, dead units, learnable and random slopes."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
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

FIGURES = ("functions.en.svg", "functions.zh.svg")
TITLES = {  # panel titles that are not plain API names
    "zh": {"PReLU (init 0.25)": "PReLU（初始斜率 0.25）", "RReLU (eval)": "RReLU（评估模式）"},
}


# --8<-- [start:derivative]
def with_derivative(activation: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The activation's values on ``x`` and its derivative there, from autograd."""
    x = x.detach().clone().requires_grad_()
    y = activation(x)
    (grad,) = torch.autograd.grad(y.sum(), x)  # d(sum y)/dx_i = f'(x_i): each y_i uses one x_i
    return y.detach(), grad


# --8<-- [end:derivative]

ACTIVATIONS = {
    "Sigmoid": nn.Sigmoid(),
    "Tanh": nn.Tanh(),
    "ReLU": nn.ReLU(),
    "LeakyReLU(0.1)": nn.LeakyReLU(0.1),
    "PReLU (init 0.25)": nn.PReLU(),
    "RReLU (eval)": nn.RReLU().eval(),
}


def draw(*, language: str, path):
    import matplotlib.pyplot as plt

    titles = TITLES.get(language, {})
    x = torch.linspace(-5, 5, 401)
    figure, axes = plt.subplots(2, 3, figsize=(FIGURE_WIDTH, 4.6), layout="constrained", sharex=True)
    for axis, (name, activation) in zip(axes.flat, ACTIVATIONS.items(), strict=True):
        y, grad = with_derivative(activation, x)
        axis.plot(x.numpy(), y.numpy(), lw=2, label="f(x)")
        axis.plot(x.numpy(), grad.numpy(), lw=1.5, ls="--", label="f'(x)")
        axis.axhline(0, color="0.7", lw=0.8)
        axis.set_title(titles.get(name, name), fontsize=10)
        axis.set_ylim(-1.5, 3)
        axis.legend(loc="upper left")
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("activations", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    x = torch.linspace(-5, 5, 10001)  # float32 rounds tanh'(x) to 0 beyond |x| = 9 or so
    results = {
        "sigmoid_max_derivative": with_derivative(nn.Sigmoid(), x)[1].max().item(),
        "tanh_derivative_range": tuple(
            t.item() for t in with_derivative(nn.Tanh(), x)[1].aminmax()
        ),
        "figures": None,
    }
    if not args.quick:
        results["figures"] = draw_in_languages(draw, args.out / "functions.svg")
    print(f"max sigmoid'(x) = {results['sigmoid_max_derivative']:.4f}; tanh'(x) in "
          f"[{results['tanh_derivative_range'][0]:.2e}, {results['tanh_derivative_range'][1]:.4f}]")
    return results


if __name__ == "__main__":
    main()
