"""The weight-initialization chapter: where the signal explodes, vanishes or holds."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from examples.weight_init import SCHEMES, initializers, main, measured_gain, run


@pytest.fixture(scope="module")
def results():
    return main(["--quick", "--device", "cpu"])["runs"]


@pytest.mark.parametrize("seed", range(5))
def test_unit_normal_weights_overflow_around_layer_31(seed: int) -> None:
    torch.manual_seed(seed)
    assert 29 <= run("no activation, N(0, 1)").first_non_finite <= 33


def test_each_layer_multiplies_std_by_about_sqrt_n(results) -> None:
    stds = results["no activation, N(0, 1)"].stds
    ratios = [b / a for a, b in zip(stds[:20], stds[1:21], strict=True)]
    assert 14 < sum(ratios) / len(ratios) < 18  # sqrt(256) = 16


def test_schemes_that_hold_the_scale(results) -> None:
    for scheme in ("no activation, N(0, 1/n)", "tanh, Xavier", "ReLU, Kaiming"):
        assert 0.2 < results[scheme].stds[-1] < 2, scheme


def test_schemes_that_fade(results) -> None:
    assert results["tanh, N(0, 1/n)"].stds[-1] < 0.1
    relu_xavier = results["ReLU, Xavier"]
    assert relu_xavier.stds[-1] < 1e-12
    assert relu_xavier.grad_norms[0] / relu_xavier.grad_norms[-1] < 1e-13


def test_one_initializer_per_experiment() -> None:
    assert len(SCHEMES) == 6
    assert len({initialize for _, initialize in SCHEMES.values()}) == 5  # N(0, 1/n) used twice


def test_tanh_gain_computed_and_measured() -> None:
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    torch.manual_seed(0)
    assert measured_gain(torch.tanh) == pytest.approx(1.59, abs=0.01)
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))


def test_xavier_uniform_bound() -> None:
    weight = torch.empty(256, 256)
    nn.init.xavier_uniform_(weight, gain=2.0)
    bound = 2.0 * math.sqrt(6 / (256 + 256))
    assert weight.abs().max() <= bound
    assert weight.abs().max() > 0.99 * bound


def test_kaiming_std_with_negative_slope() -> None:
    torch.manual_seed(0)
    weight = torch.empty(512, 1024)
    nn.init.kaiming_normal_(weight, a=0.2, nonlinearity="leaky_relu")
    assert weight.std().item() == pytest.approx(math.sqrt(2 / ((1 + 0.2**2) * 1024)), rel=0.02)


def test_initializer_list_comes_from_torch() -> None:
    names = initializers()
    assert {"xavier_uniform_", "kaiming_normal_", "orthogonal_", "zeros_"} <= set(names)
    assert all(name.endswith("_") for name in names)


def test_full_run_draws_the_figure(tmp_path) -> None:
    drawn = main(["--out", str(tmp_path)])["figures"]
    assert drawn == {
        "en": tmp_path / "std_per_layer.en.svg",
        "zh": tmp_path / "std_per_layer.zh.svg",
    }
    assert b"<svg" in drawn["zh"].read_bytes()


def test_equal_initial_weights_stay_equal_after_training() -> None:
    """The page's symmetry argument: units that start equal get equal gradients."""
    import torch
    from torch import nn

    layer = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    for parameter in layer.parameters():
        nn.init.constant_(parameter, 0.5)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        layer(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()
    weights = layer[0].weight
    assert torch.allclose(weights, weights[0].expand_as(weights))


def test_sigmoid_slope_at_zero_is_a_quarter() -> None:
    import torch

    x = torch.zeros(1, requires_grad=True)
    torch.sigmoid(x).backward()
    assert x.grad.item() == 0.25
    assert torch.nn.init.calculate_gain("sigmoid") == 1


def test_float32_overflows_at_the_32nd_power_of_16() -> None:
    largest = torch.finfo(torch.float32).max
    assert math.log(largest, 16) == pytest.approx(32, abs=1e-6)


def test_layer_31_outputs_are_finite_but_their_std_is_not() -> None:
    """The page: the std is NaN from layer 31 because summing overflows; outputs overflow at 32."""
    from examples.weight_init import DeepMLP, normal_1

    torch.manual_seed(0)
    model = DeepMLP(activation="none")
    for layer in model.layers:
        normal_1(layer.weight)
    _, outputs = model(torch.randn(16, 256))
    assert torch.isfinite(outputs[30]).all()
    assert not math.isfinite(outputs[30].std().item())
    assert math.isfinite(outputs[30].double().std().item())
    assert not torch.isfinite(outputs[31]).all()


def test_gradient_ratios_between_first_and_last_layer(results) -> None:
    def ratio(scheme: str) -> float:
        grads = results[scheme].grad_norms
        return grads[0] / grads[-1]

    assert 1e-15 < ratio("ReLU, Xavier") < 1e-13  # "about 10^-14"
    assert 1e3 < ratio("tanh, Xavier") < 1e5  # "about 10^4"
    assert 1 < ratio("ReLU, Kaiming") < 10
    unit = results["no activation, N(0, 1)"].grad_norms
    assert not math.isfinite(unit[0])
    backward = [unit[i - 1] / unit[i] for i in range(90, 100)]
    assert 14 < sum(backward) / len(backward) < 18  # x16 per layer on the way back


def test_pytorch_default_linear_init_fades_under_relu() -> None:
    from examples.weight_init import DeepMLP

    torch.manual_seed(0)
    model = DeepMLP(activation="relu")
    assert model.layers[0].weight.std().item() == pytest.approx((3 * 256) ** -0.5, rel=0.02)
    _, outputs = model(torch.randn(16, 256))
    per_layer = (outputs[9].std() / outputs[0].std()).item() ** (1 / 9)
    assert per_layer == pytest.approx(math.sqrt(1 / 6), rel=0.05)


def test_narrower_network_overflows_later() -> None:
    torch.manual_seed(0)
    assert run("no activation, N(0, 1)", width=64).first_non_finite == 42
    assert math.log(torch.finfo(torch.float32).max, 8) == pytest.approx(42.7, abs=0.05)


def test_relu_gain_is_the_second_moment_ratio_and_tanh_gain_is_five_thirds() -> None:
    """The page: sqrt(2) is the root of the second-moment ratio (1.41), not the std ratio (1.71);
    tanh's output has mean zero, and its gain is the listed 5/3."""
    torch.manual_seed(0)
    x = torch.randn(1_000_000)
    relu = torch.relu(x)
    assert (x.pow(2).mean() / relu.pow(2).mean()).sqrt().item() == pytest.approx(
        math.sqrt(2), abs=0.01
    )
    assert (x.std() / relu.std()).item() == pytest.approx(1.713, abs=0.01)
    assert abs(torch.tanh(x).mean().item()) < 0.005
    assert nn.init.calculate_gain("tanh") == 5 / 3


def test_only_leaf_tensors_keep_their_gradient_without_retain_grad() -> None:
    import warnings

    from examples.weight_init import DeepMLP

    weight = torch.ones(3, requires_grad=True)
    hidden = weight * 2
    assert weight.is_leaf and not hidden.is_leaf
    hidden.sum().backward()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert hidden.grad is None
    assert weight.grad is not None
    model = DeepMLP(width=4, depth=3, activation="tanh")
    out, outputs = model(torch.randn(2, 4))
    out.sum().backward()
    assert all(o.grad is not None for o in outputs)
