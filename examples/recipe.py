"""The training recipe in five steps: data, model, loss, optimizer, iterate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# --8<-- [start:imports]
import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, parse_args, seed_everything
from examples.linear_regression import make_data


@dataclass
class Recipe:
    """The trained model and the loss before and after training."""

    model: nn.Linear
    first_loss: float
    last_loss: float


def run(device: torch.device, generator: torch.Generator, iterations: int = 1000) -> Recipe:
    # --8<-- [start:steps]
    # 1. Data: inputs and targets, on the device that will do the work.
    x, y = make_data(generator=generator)
    x, y = x.to(device), y.to(device)

    # 2. Model: y = w * x + b is one linear layer with one input and one output.
    model = nn.Linear(in_features=1, out_features=1).to(device)

    # 3. Loss: mean squared error.
    loss_fn = nn.MSELoss()

    # 4. Optimizer: plain gradient descent over the model's parameters.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.015)

    # 5. Iterate: forward, loss, backward, step, clear the gradients.
    for iteration in range(iterations):
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if iteration == 0:
            first_loss = loss.item()
    # --8<-- [end:steps]
    return Recipe(model=model, first_loss=first_loss, last_loss=loss.item())


def main(argv: Sequence[str] | None = None) -> Recipe:
    parser = build_parser("recipe", __doc__)
    parser.add_argument(
        "--iterations", type=int, default=None, help="iterations to run (default: 1000, quick: 200)"
    )
    args = parse_args(parser, argv)
    if args.iterations is None:
        args.iterations = 200 if args.quick else 1000
    generator = seed_everything(args.seed)
    recipe = run(args.device, generator, iterations=args.iterations)
    w, b = recipe.model.weight.item(), recipe.model.bias.item()
    print(
        f"loss {recipe.first_loss:.1f} -> {recipe.last_loss:.2f} after {args.iterations} "
        f"iterations, w = {w:.2f}, b = {b:.2f}"
    )
    return recipe


if __name__ == "__main__":
    main()
