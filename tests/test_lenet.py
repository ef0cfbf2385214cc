"""The LeNet chapter: shapes for 3x32x32, parameter count, weight initialization."""

from __future__ import annotations

import torch
from torch import nn

from examples.lenet import LeNet, initialize_weights, main


def test_shapes_and_parameters() -> None:
    results = main(["--device", "cpu"])
    shapes = dict(results["shapes"])
    assert shapes["features.conv1"] == (1, 6, 28, 28)
    assert shapes["features.pool2"] == (1, 16, 5, 5)
    assert shapes["classifier.fc3"] == (1, 10)
    assert results["parameters"] == 62006


def test_initialization_by_layer_kind() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(LeNet(), nn.BatchNorm2d(4))
    initialize_weights(model)
    lenet = model[0]
    assert abs(lenet.classifier.fc1.weight.std().item() - 0.1) < 0.005
    assert lenet.features.conv1.bias.abs().max() == 0
    assert torch.all(model[1].weight == 1) and torch.all(model[1].bias == 0)
