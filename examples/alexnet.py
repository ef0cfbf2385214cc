"""AlexNet, built the way torchvision builds it, checked against torchvision's own."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import torch
from torch import nn

# --8<-- [end:imports]
from examples.common import build_parser, count_parameters, parse_args, seed_everything
from examples.module_internals import print_output_shapes


# --8<-- [start:model]
class AlexNet(nn.Module):
    """Five convolutions (features), an adaptive pool to 6x6, three linear layers (classifier)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


# --8<-- [end:model]


def main(argv: Sequence[str] | None = None) -> dict:
    parser = build_parser("alexnet", __doc__)
    parser.description = f"{__doc__} Already quick: --quick changes nothing."
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    model = AlexNet().to(args.device).eval()
    shapes = print_output_shapes(model, torch.randn(1, 3, 224, 224, device=args.device))
    results = {"parameters": count_parameters(model), "shapes": shapes}
    print(f"AlexNet: {results['parameters']:,} parameters; output {shapes[-1][1]}")
    return results


if __name__ == "__main__":
    main()
