"""What the chapter "Transposed convolution" claims, checked against examples/transposed_convolution.py."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from examples import transposed_convolution
from examples.transposed_convolution import transposed_output_size

FAST = settings(max_examples=150, deadline=None)


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


@FAST
@given(size=st.integers(1, 12), kernel=st.integers(1, 5), stride=st.integers(1, 3),
       padding=st.integers(0, 2), dilation=st.integers(1, 2), extra=st.integers(0, 2))  # fmt: skip
def test_output_size_formula_matches_torch(size, kernel, stride, padding, dilation, extra) -> None:
    output_padding = extra % max(stride, dilation)  # must be smaller than stride or dilation
    expected = transposed_output_size(size, kernel, stride, padding, output_padding, dilation)
    if expected < 1:
        return
    layer = nn.ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding,
                               output_padding=output_padding, dilation=dilation)  # fmt: skip
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected
