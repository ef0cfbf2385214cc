"""nn.Module from the inside: where attributes go, what a module holds, hooks, a classic trap."""

from __future__ import annotations

from collections.abc import Sequence

# --8<-- [start:imports]
import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, count_parameters, parse_args, seed_everything


# --8<-- [start:scaled]
class Scaled(nn.Module):
    """A linear layer, then a learnable scale per output; counts how often it ran."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)  # a Module
        self.scale = nn.Parameter(torch.ones(out_features))  # a Parameter
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))  # a buffer
        self.offset = torch.zeros(out_features)  # a plain tensor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.linear(x) * self.scale + self.offset


# --8<-- [end:scaled]


# --8<-- [start:where]
def where_it_lives(module: nn.Module, name: str) -> str:
    """Name the store that nn.Module.__setattr__ put attribute ``name`` in."""
    for store in ("_parameters", "_modules", "_buffers"):
        if name in getattr(module, store):
            return store
    return "__dict__" if name in vars(module) else "nowhere"


# --8<-- [end:where]


# --8<-- [start:dictionaries]
def internal_dictionaries() -> list[str]:
    """The dictionaries every nn.Module keeps, read from the installed torch."""
    return [name for name, value in vars(nn.Module()).items() if isinstance(value, dict)]


# --8<-- [end:dictionaries]


# --8<-- [start:model]
def small_model() -> nn.Sequential:
    """A classifier for 2 classes; it returns logits: no softmax at the end."""
    return nn.Sequential(
        Scaled(4, 8),
        nn.ReLU(),
        nn.Sequential(nn.Dropout(0.5), nn.Linear(8, 2)),  # the head
    )


# --8<-- [end:model]


# --8<-- [start:hooks]
def print_output_shapes(model: nn.Module, x: torch.Tensor) -> list[tuple[str, tuple]]:
    """Run ``model`` once with a forward hook on every leaf; print each output's shape."""
    shapes = []

    def record(name):
        def hook(module, inputs, output):
            shapes.append((name, tuple(output.shape)))
            print(f"{name:<16} {type(module).__name__:<9} -> {tuple(output.shape)}")

        return hook

    handles = [
        module.register_forward_hook(record(name))
        for name, module in model.named_modules()
        if not list(module.children())  # leaves only
    ]
    model(x)
    for handle in handles:  # hooks stay until removed
        handle.remove()
    return shapes


# --8<-- [end:hooks]


# --8<-- [start:trap]
class PlainList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = [nn.Linear(10, 10) for _ in range(3)]  # a Python list: not registered

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Registered(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(10, 10) for _ in range(3))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


# --8<-- [end:trap]


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("module_internals", __doc__)
    parser.description = f"{__doc__} Already quick: --quick changes nothing."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    scaled = Scaled(4, 8)
    model = small_model().to(args.device)
    results = {
        "where": {n: where_it_lives(scaled, n) for n in ("linear", "scale", "calls", "offset")},
        "dictionaries": internal_dictionaries(),
        "shapes": print_output_shapes(model, torch.randn(3, 4, device=args.device)),
        "model_parameters": count_parameters(model),
        "parameters": {
            "plain list": count_parameters(PlainList()),
            "ModuleList": count_parameters(Registered()),
        },
    }
    print(f"{len(results['dictionaries'])} dictionaries; parameters: {results['parameters']}")
    return results


if __name__ == "__main__":
    main()
