"""What the chapter "Convolution" claims, checked against examples/convolution.py."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from examples import convolution
from examples.convolution import conv_output_size

FAST = settings(max_examples=150, deadline=None)


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


@pytest.mark.parametrize(
    ("mode", "padded"),
    [("zeros", [0, 1, 2, 3, 4, 0]), ("reflect", [2, 1, 2, 3, 4, 3]),
     ("replicate", [1, 1, 2, 3, 4, 4]), ("circular", [4, 1, 2, 3, 4, 1])],
)  # fmt: skip
def test_padding_modes(mode, padded) -> None:
    show = nn.Conv2d(1, 1, kernel_size=1, padding=(0, 1), padding_mode=mode, bias=False)
    with torch.no_grad():
        show.weight.fill_(1.0)
        row = show(torch.arange(1.0, 5.0).reshape(1, 1, 1, 4))[0, 0, 0]
    assert row.tolist() == padded


def test_groups_halve_the_weights() -> None:
    assert nn.Conv2d(4, 8, 3, groups=2).weight.numel() * 2 == nn.Conv2d(4, 8, 3).weight.numel()


@FAST
@given(size=st.integers(1, 24), kernel=st.integers(1, 7), stride=st.integers(1, 4),
       padding=st.integers(0, 3), dilation=st.integers(1, 3))  # fmt: skip
def test_output_size_formula_matches_torch(size, kernel, stride, padding, dilation) -> None:
    expected = conv_output_size(size, kernel, stride, padding, dilation)
    layer = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    if expected < 1:
        return  # the layer refuses such inputs; the formula gives no size
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected
