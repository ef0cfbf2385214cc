"""Our AlexNet against torchvision's: same parameter count, same output for the same weights."""

from __future__ import annotations

import torch
import torchvision
from torch import nn

from examples.alexnet import AlexNet, main


def test_parameter_count_matches_torchvision() -> None:
    results = main(["--device", "cpu"])
    assert results["parameters"] == 61_100_840
    assert results["parameters"] == sum(
        p.numel() for p in torchvision.models.AlexNet().parameters()
    )
    assert dict(results["shapes"])["features.12"] == (1, 256, 6, 6)


def test_same_output_for_the_same_weights() -> None:
    torch.manual_seed(0)
    theirs = torchvision.models.AlexNet().eval()
    ours = AlexNet().eval()
    result = ours.load_state_dict(theirs.state_dict())  # same names, same shapes
    assert not result.missing_keys and not result.unexpected_keys
    image = torch.randn(2, 3, 224, 224)
    assert torch.allclose(ours(image), theirs(image), atol=1e-6)


def test_adaptive_pool_takes_other_sizes() -> None:
    model = AlexNet(num_classes=5).eval()
    for side in (100, 256, 320):
        assert model(torch.randn(1, 3, side, side)).shape == (1, 5)


def test_groups_halve_the_papers_conv2() -> None:
    def count(groups: int) -> int:
        return sum(p.numel() for p in nn.Conv2d(96, 256, 5, padding=2, groups=groups).parameters())

    assert (count(1), count(2)) == (614_656, 307_456)


def test_torchvision_is_the_single_tower_variant() -> None:
    theirs = torchvision.models.AlexNet()
    convs = [m for m in theirs.modules() if isinstance(m, nn.Conv2d)]
    assert [conv.out_channels for conv in convs] == [64, 192, 384, 256, 256]
    assert {conv.groups for conv in convs} == {1}
    assert not any(isinstance(m, nn.LocalResponseNorm) for m in theirs.modules())
    unpadded_conv1 = nn.Conv2d(3, 96, kernel_size=11, stride=4)  # the paper states no padding
    assert unpadded_conv1(torch.zeros(1, 3, 224, 224)).shape[-1] == 54
    assert unpadded_conv1(torch.zeros(1, 3, 227, 227)).shape[-1] == 55
    assert theirs.features[0](torch.zeros(1, 3, 224, 224)).shape[-1] == 55


def test_dropout_scales_in_training_and_passes_through_in_eval() -> None:
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.5)
    kept = dropout(torch.ones(1000))
    assert set(kept.unique().tolist()) == {0.0, 2.0}
    assert torch.equal(dropout.eval()(torch.ones(8)), torch.ones(8))
