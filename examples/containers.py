"""Containers: LeNet five ways (attributes, Sequential, named Sequential, ModuleList,
ModuleDict), and ModuleList and ModuleDict on their own."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, count_parameters, parse_args, seed_everything


# --8<-- [start:lenet]
class LeNet(nn.Module):
    """LeNet with every layer a named attribute, wired by hand in forward."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


# --8<-- [end:lenet]


# --8<-- [start:sequential]
class LeNetSequential(nn.Module):
    """Two nn.Sequential blocks; their layers are named 0, 1, 2, ..."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


# --8<-- [end:sequential]


# --8<-- [start:named]
class LeNetNamedSequential(nn.Module):
    """The same blocks, built from an OrderedDict so every layer keeps a name."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(3, 6, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ]))
        self.classifier = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(16 * 5 * 5, 120)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
            ("fc3", nn.Linear(84, classes)),
        ]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


# --8<-- [end:named]


# --8<-- [start:lenet_list_dict]
class LeNetModuleList(nn.Module):
    """The layers in two ModuleLists; forward applies them in a loop."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.ModuleList([
            nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        ])
        self.classifier = nn.ModuleList([
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes),
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.features:
            x = layer(x)
        x = torch.flatten(x, 1)
        for layer in self.classifier:
            x = layer(x)
        return x


class LeNetModuleDict(nn.Module):
    """Every layer by name in one ModuleDict; forward looks them up in its own order."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.layers = nn.ModuleDict({
            "conv1": nn.Conv2d(3, 6, 5), "conv2": nn.Conv2d(6, 16, 5),
            "fc1": nn.Linear(16 * 5 * 5, 120), "fc2": nn.Linear(120, 84),
            "fc3": nn.Linear(84, classes),
            "relu": nn.ReLU(), "pool": nn.MaxPool2d(2),
        })

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer = self.layers
        x = layer["pool"](layer["relu"](layer["conv1"](x)))
        x = layer["pool"](layer["relu"](layer["conv2"](x)))
        x = torch.flatten(x, 1)
        x = layer["relu"](layer["fc1"](x))
        x = layer["relu"](layer["fc2"](x))
        return layer["fc3"](x)


# --8<-- [end:lenet_list_dict]


# --8<-- [start:modulelist]
class DeepLinear(nn.Module):
    """Twenty Linear(10, 10) layers, kept in a ModuleList and applied in a loop."""

    def __init__(self, depth: int = 20) -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(10, 10) for _ in range(depth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


# --8<-- [end:modulelist]


# --8<-- [start:moduledict]
class ConvChoice(nn.Module):
    """A convolution and an activation, each chosen by key when the model is called."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleDict({
            "conv": nn.Conv2d(3, 8, kernel_size=3, padding=1),
            "pool": nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
        })
        self.activations = nn.ModuleDict({"relu": nn.ReLU(), "prelu": nn.PReLU()})

    def forward(self, x: torch.Tensor, layer: str, activation: str) -> torch.Tensor:
        return self.activations[activation](self.convs[layer](x))


# --8<-- [end:moduledict]


# --8<-- [start:copy]
def copy_weights(source: nn.Module, target: nn.Module) -> None:
    """Copy parameters in registration order: the LeNets differ only in their names."""
    with torch.no_grad():
        for mine, theirs in zip(target.parameters(), source.parameters(), strict=True):
            mine.copy_(theirs)


# --8<-- [end:copy]


# --8<-- [start:loads]
def loads_state_dict(source: nn.Module, target: nn.Module) -> bool:
    """Try target.load_state_dict(source.state_dict()); True if PyTorch accepts it."""
    try:
        target.load_state_dict(source.state_dict())
    except RuntimeError:  # missing or unexpected keys, or shapes that differ
        return False
    return True


# --8<-- [end:loads]


def main(argv: Sequence[str] | None = None) -> dict:
    summary = __doc__.splitlines()[0]
    parser = build_parser("containers", summary)
    parser.description = f"{summary} Already quick: --quick changes nothing."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    variants = [LeNet, LeNetSequential, LeNetNamedSequential, LeNetModuleList, LeNetModuleDict]
    models = {cls.__name__: cls(classes=2).to(args.device) for cls in variants}
    reference = models["LeNet"]
    for model in models.values():
        copy_weights(reference, model)
    x = torch.randn(4, 3, 32, 32, device=args.device)
    outputs = {name: model(x) for name, model in models.items()}
    results = {
        "parameters": {name: count_parameters(model) for name, model in models.items()},
        "same_output": all(torch.allclose(out, outputs["LeNet"]) for out in outputs.values()),
        "deep_linear_layers": len(DeepLinear().layers),
        "choice_shape": tuple(ConvChoice()(torch.randn(1, 3, 8, 8), "conv", "prelu").shape),
    }
    print(f"parameters: {results['parameters']}, same output: {results['same_output']}")
    return results


if __name__ == "__main__":
    main()
