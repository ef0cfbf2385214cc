"""What the chapter "Activation functions" claims, checked against examples/activations.py."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from examples import activations


def test_activation_claims(tmp_path) -> None:
    results = activations.main(["--out", str(tmp_path)])
    assert results["sigmoid_max_derivative"] == pytest.approx(0.25, abs=1e-6)
    low, high = results["tanh_derivative_range"]
    assert 0 < low and high == pytest.approx(1.0)
    assert sorted(results["figures"]) == ["en", "zh"]
    assert all(path.is_file() for path in results["figures"].values())


def test_rrelu_random_in_training_fixed_in_eval() -> None:
    torch.manual_seed(0)
    rrelu = nn.RReLU()
    slopes = -rrelu.train()(-torch.ones(1000))
    assert 1 / 8 <= slopes.min() and slopes.max() <= 1 / 3 and slopes.std() > 0.01
    assert torch.allclose(-rrelu.eval()(-torch.ones(3)), torch.full((3,), (1 / 8 + 1 / 3) / 2))


def test_prelu_weight_shapes() -> None:
    assert nn.PReLU().weight.shape == (1,) and nn.PReLU().weight.item() == 0.25
    assert nn.PReLU(num_parameters=8).weight.shape == (8,)
    assert nn.LeakyReLU().negative_slope == 0.01
