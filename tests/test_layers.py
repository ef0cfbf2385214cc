"""What the five layer chapters claim, checked against their examples."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from examples import activations, convolution, linear_layer, pooling, transposed_convolution
from examples.photo import PHOTO, load_photo


def test_photo_ships_with_matplotlib() -> None:
    assert PHOTO.is_file() and PHOTO.name == "grace_hopper.jpg"
    assert load_photo(size=32).shape == (1, 3, 32, 32)
    assert 0 <= load_photo(size=32).min() and load_photo(size=32).max() <= 1


def test_convolution_keeps_size_with_padding_and_draws(tmp_path) -> None:
    results = convolution.main(["--out", str(tmp_path)])
    assert results["shapes"]["blur (box 3x3)"] == (1, 1, 128, 128)
    assert results["shapes"]["random (Xavier)"] == (1, 1, 126, 126)
    assert sorted(results["figures"]) == ["en", "zh"]
    assert all(path.is_file() for path in results["figures"].values())


def test_sobel_is_zero_on_a_flat_image() -> None:
    flat = torch.full((1, 1, 8, 8), 0.5)
    edges = convolution.apply_kernel(flat, convolution.classic_kernels()["vertical edges (Sobel)"])
    assert edges[0, 0, 1:-1, 1:-1].abs().max() < 1e-6


def test_conv3d_without_depth_padding_fails_and_with_it_works() -> None:
    still = torch.randn(1, 3, 1, 16, 16)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        nn.Conv3d(3, 8, kernel_size=3)(still)
    assert nn.Conv3d(3, 8, kernel_size=3, padding=(1, 0, 0))(still).shape == (1, 8, 1, 14, 14)


def test_groups_halve_the_weights() -> None:
    assert nn.Conv2d(4, 8, 3, groups=2).weight.numel() * 2 == nn.Conv2d(4, 8, 3).weight.numel()


def test_conv_is_a_4x16_matrix_and_its_transpose_is_conv_transpose() -> None:
    torch.manual_seed(0)
    kernel, x, y = torch.randn(3, 3), torch.randn(4, 4), torch.randn(2, 2)
    matrix = transposed_convolution.conv_matrix(kernel, 4)
    assert matrix.shape == (4, 16)
    assert torch.allclose(
        F.conv2d(x[None, None], kernel[None, None]).flatten(), matrix @ x.flatten(), atol=1e-6
    )
    assert torch.allclose(
        F.conv_transpose2d(y[None, None], kernel[None, None]).flatten(),
        matrix.T @ y.flatten(),
        atol=1e-6,
    )
    assert torch.linalg.matrix_rank(matrix.T @ matrix) == 4  # not invertible


def test_checkerboard_and_its_fix(tmp_path) -> None:
    results = transposed_convolution.main(["--out", str(tmp_path)])
    assert results["transposed_values"] == [1.0, 2.0, 4.0]
    assert results["resize_values"] == [9.0]
    assert sorted(results["figures"]) == ["en", "zh"]
    assert all(path.is_file() for path in results["figures"].values())


def test_pooling_quarters_the_photo(tmp_path) -> None:
    results = pooling.main(["--out", str(tmp_path)])
    assert results["max_shape"] == results["avg_shape"] == (1, 3, 32, 32)
    assert sorted(results["figures"]) == ["en", "zh"]
    assert all(path.is_file() for path in results["figures"].values())


def test_max_pooling_is_brighter_than_average() -> None:
    photo = load_photo()
    assert nn.MaxPool2d(4)(photo).mean() > nn.AvgPool2d(4)(photo).mean()


def test_unpooling_puts_maxima_back() -> None:
    x = torch.tensor(
        [[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0], [0.0, 2.0, 1.0, 1.0], [6.0, 1.0, 0.0, 9.0]]]]
    )
    pooled, indices = nn.MaxPool2d(2, return_indices=True)(x)
    restored = nn.MaxUnpool2d(2)(pooled, indices)
    assert restored.sum() == 5 + 8 + 6 + 9 and (restored.flatten() > 0).sum() == 4


def test_linear_worked_example_and_collapse() -> None:
    results = linear_layer.main([])
    assert results["worked"] == [6.5, 12.5, 18.5, 24.5]
    assert results["collapse_error"] < 1e-5


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
