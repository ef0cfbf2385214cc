"""The linear layer: y = x W^T + b, worked by hand, and why stacking them needs activations."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, parse_args, seed_everything


# --8<-- [start:worked]
def worked_layer() -> nn.Linear:
    """Three inputs, four outputs; the weight rows are all 1s, all 2s, all 3s, all 4s; bias 0.5."""
    layer = nn.Linear(in_features=3, out_features=4)
    with torch.no_grad():
        layer.weight.copy_(torch.arange(1.0, 5.0)[:, None].expand(4, 3))
        layer.bias.fill_(0.5)
    return layer


def worked_example() -> torch.Tensor:
    """The worked layer on the input [1, 2, 3]."""
    return worked_layer()(torch.tensor([[1.0, 2.0, 3.0]]))


# --8<-- [end:worked]


# --8<-- [start:collapse]
def collapse(layers: nn.Sequential) -> nn.Linear:
    """One linear layer equal to a stack of linear layers with nothing in between."""
    weight = torch.eye(layers[0].in_features)
    bias = torch.zeros(layers[0].in_features)
    for layer in layers:
        weight = layer.weight @ weight
        bias = layer.weight @ bias + layer.bias
    single = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        single.weight.copy_(weight)
        single.bias.copy_(bias)
    return single


# --8<-- [end:collapse]


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("linear_layer", __doc__)
    parser.description = f"{__doc__} Already quick: --quick changes nothing."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    stack = nn.Sequential(nn.Linear(5, 8), nn.Linear(8, 8), nn.Linear(8, 3)).to(args.device)
    x = torch.randn(10, 5, device=args.device)
    single = collapse(stack.cpu()).to(args.device)
    stack.to(args.device)
    results = {
        "worked": worked_example().tolist()[0],
        "collapse_error": (stack(x) - single(x)).abs().max().item(),
    }
    print(f"worked example: {results['worked']}; stack vs single: {results['collapse_error']:.1e}")
    return results


if __name__ == "__main__":
    main()
