"""LeNet for 3x32x32 images: its layers, the shape after every stage, its parameter count."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
from collections import OrderedDict

import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, count_parameters, parse_args, seed_everything
from examples.module_internals import print_output_shapes


# --8<-- [start:model]
class LeNet(nn.Module):
    """conv1 -> pool1 -> conv2 -> pool2 -> fc1 -> fc2 -> fc3; ReLU after conv1, conv2, fc1, fc2."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(3, 6, kernel_size=5)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, kernel_size=5)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
        ]))
        self.classifier = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(16 * 5 * 5, 120)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
            ("fc3", nn.Linear(84, classes)),
        ]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


# --8<-- [end:model]


# --8<-- [start:init]
def initialize_weights(model: nn.Module) -> None:
    """Xavier for convolutions, N(0, 0.1) for linear layers, 1 and 0 for batch norm."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.xavier_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.1)
            nn.init.zeros_(module.bias)


# --8<-- [end:init]


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("lenet", __doc__)
    parser.description = f"{__doc__} Already quick: --quick changes nothing."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    model = LeNet(classes=10).to(args.device)
    initialize_weights(model)
    shapes = print_output_shapes(model, torch.randn(1, 3, 32, 32, device=args.device))
    results = {"shapes": shapes, "parameters": count_parameters(model)}
    print(f"parameters: {results['parameters']:,}")
    return results


if __name__ == "__main__":
    main()
