"""What the chapter "Residual networks" claims, checked against examples/residual_networks.py."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision
from torch import nn

from examples.residual_networks import (
    BasicBlock,
    DeepStack,
    ResNet18,
    Results,
    compare,
    main,
    make_data,
    train,
)


@pytest.fixture(scope="module")
def results() -> Results:
    return main(["--quick", "--device", "cpu"])


def test_parameter_count_matches_torchvision(results) -> None:
    assert results.check.parameters == 11_689_512
    assert results.check.torchvision_parameters == 11_689_512
    assert results.figures is None  # --quick draws no figure


def test_torchvision_state_dict_loads_strictly_and_gives_the_same_output(results) -> None:
    assert results.check.missing_keys == [] and results.check.unexpected_keys == []
    assert results.check.output_shape == (2, 1000)
    assert results.check.same_output is True


def test_same_names_shapes_and_output_for_the_same_weights() -> None:
    torch.manual_seed(0)
    theirs = torchvision.models.resnet18(weights=None).eval()
    ours = ResNet18().eval()
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)  # same names, in the same order
    assert all(mine[key].shape == reference[key].shape for key in mine)
    assert len(reference) == 122
    assert sum(key.endswith(("running_mean", "running_var", "num_batches_tracked"))
               for key in reference) == 60  # fmt: skip
    ours.load_state_dict(reference, strict=True)
    images = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = ours(images)
        assert torch.allclose(out, theirs(images), rtol=1e-5, atol=1e-5)
        # the comparison can fail: other weights give another output
        assert not torch.allclose(out, ResNet18().eval()(images), rtol=1e-5, atol=1e-5)


def test_our_block_matches_torchvisions_block() -> None:
    from torchvision.models.resnet import BasicBlock as Theirs
    from torchvision.models.resnet import conv1x1

    plain = Theirs(64, 64)
    down = Theirs(64, 128, stride=2,
                  downsample=nn.Sequential(conv1x1(64, 128, 2), nn.BatchNorm2d(128)))  # fmt: skip
    assert list(BasicBlock(64, 64).state_dict()) == list(plain.state_dict())
    assert list(BasicBlock(64, 128, stride=2).state_dict()) == list(down.state_dict())


def test_block_shapes(results) -> None:
    assert results.blocks == {"identity": (2, 64, 16, 16), "downsample": (2, 128, 8, 8)}
    assert BasicBlock(64, 64).downsample is None
    assert BasicBlock(64, 128).downsample is not None  # channels change, stride 1
    assert [name for name, _ in BasicBlock(64, 64).named_children()] == [
        "conv1", "bn1", "relu", "conv2", "bn2",
    ]  # fmt: skip


def test_stage_shapes_and_eighteen_weighted_layers() -> None:
    model = ResNet18().eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        assert x.shape == (1, 64, 56, 56)
        shapes = []
        for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
            x = stage(x)
            shapes.append(tuple(x.shape[1:]))
    assert shapes == [(64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]
    weighted = [name for name, m in model.named_modules()
                if isinstance(m, (nn.Conv2d, nn.Linear)) and "downsample" not in name]  # fmt: skip
    assert len(weighted) == 18


def test_both_stacks_start_from_the_same_weights() -> None:
    torch.manual_seed(0)
    plain = DeepStack(32, shortcut=False)
    torch.manual_seed(0)
    residual = DeepStack(32, shortcut=True)
    assert sum(isinstance(m, nn.Linear) for m in plain.modules()) == 32
    for (name, a), (_, b) in zip(plain.state_dict().items(), residual.state_dict().items(),
                                 strict=True):  # fmt: skip
        assert torch.equal(a, b), name
    x = torch.randn(4, 16)
    assert not torch.allclose(plain(x), residual(x))  # only the shortcuts differ


def test_the_gradient_reaches_the_first_layer_only_with_shortcuts(results) -> None:
    plain, residual = results.runs["plain"], results.runs["residual"]
    assert len(plain.grad_norms) == len(residual.grad_norms) == 32
    assert residual.grad_norms[0] / plain.grad_norms[0] > 1e6
    assert plain.grad_norms[0] < 1e-9 < 1e-2 < residual.grad_norms[0]


def test_only_the_stack_with_shortcuts_learns(results) -> None:
    plain, residual = results.runs["plain"], results.runs["residual"]
    assert len(plain.losses) == len(residual.losses) == 30
    assert abs(plain.losses[-1] - math.log(4)) < 0.05
    assert residual.losses[-1] < 0.1 < plain.losses[-1]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_experiment_holds_for_other_seeds(seed) -> None:
    runs = compare(seed=seed)
    plain, residual = runs["plain"], runs["residual"]
    assert residual.grad_norms[0] / plain.grad_norms[0] > 1e6
    assert abs(plain.losses[-1] - math.log(4)) < 0.05
    assert residual.losses[-1] < 0.1


def test_exercise_shortcut_parameters() -> None:
    model = ResNet18()
    sizes = [sum(p.numel() for p in stage[0].downsample.parameters())
             for stage in (model.layer2, model.layer3, model.layer4)]  # fmt: skip
    assert sizes[0] == 64 * 128 + 2 * 128 == 8448
    assert sum(sizes) == 173_824
    assert model.layer1[0].downsample is None


def test_exercise_ten_classes() -> None:
    ours = ResNet18(num_classes=10)
    count = sum(p.numel() for p in ours.parameters())
    assert count == 11_181_642 == 11_689_512 - 512 * 990 - 990
    theirs = torchvision.models.resnet18(weights=None, num_classes=10)
    assert count == sum(p.numel() for p in theirs.parameters())
    with pytest.raises(RuntimeError, match="size mismatch for fc.weight"):
        ours.load_state_dict(torchvision.models.resnet18(weights=None).state_dict())


def test_exercise_zero_init_residual_makes_each_identity_block_the_identity() -> None:
    torch.manual_seed(0)
    zero = torchvision.models.resnet18(weights=None, zero_init_residual=True)
    ours = ResNet18().eval()
    ours.load_state_dict(zero.state_dict())
    blocks = [m for m in ours.modules() if isinstance(m, BasicBlock)]
    assert len(blocks) == 8
    assert all(torch.count_nonzero(block.bn2.weight) == 0 for block in blocks)
    x = torch.relu(torch.randn(2, 64, 16, 16))
    with torch.no_grad():
        assert torch.equal(ours.layer1(x), x)
        assert not torch.equal(ResNet18().eval().layer1(x), x)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exercise_kaiming_brings_the_gradient_back_but_not_the_training(seed) -> None:
    """The page's data with other initial weights too; seed 1 diverges to NaN on some CPUs, so
    the check counts NaN as not below 0.5. (Whether the loss jumps back up is chaotic: it changes
    with the processor's kernels, so neither the page nor the test claims it.)"""
    x, y = make_data(torch.Generator().manual_seed(0))
    torch.manual_seed(seed)
    plain = DeepStack(32, shortcut=False)
    for m in plain.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    run = train(plain, x, y)
    losses = run.losses
    assert len(losses) == 30 and math.isfinite(losses[0])
    assert run.grad_norms[0] > 1e-3
    assert not any(loss < 0.5 for loss in losses)  # never below 0.5; NaN < 0.5 is False
