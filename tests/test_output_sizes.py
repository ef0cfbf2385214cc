"""Every output-size formula in the layer chapters, checked against real layers (hypothesis)."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from examples.convolution import conv_output_size
from examples.pooling import adaptive_windows, pool_output_size
from examples.transposed_convolution import transposed_output_size

FAST = settings(max_examples=150, deadline=None)


@FAST
@given(size=st.integers(1, 24), kernel=st.integers(1, 7), stride=st.integers(1, 4),
       padding=st.integers(0, 3), dilation=st.integers(1, 3))  # fmt: skip
def test_convolution(size, kernel, stride, padding, dilation) -> None:
    expected = conv_output_size(size, kernel, stride, padding, dilation)
    layer = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    if expected < 1:
        return  # the layer refuses such inputs; the formula gives no size
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected


@FAST
@given(size=st.integers(1, 12), kernel=st.integers(1, 5), stride=st.integers(1, 3),
       padding=st.integers(0, 2), dilation=st.integers(1, 2), extra=st.integers(0, 2))  # fmt: skip
def test_transposed_convolution(size, kernel, stride, padding, dilation, extra) -> None:
    output_padding = extra % max(stride, dilation)  # must be smaller than stride or dilation
    expected = transposed_output_size(size, kernel, stride, padding, output_padding, dilation)
    if expected < 1:
        return
    layer = nn.ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding,
                               output_padding=output_padding, dilation=dilation)  # fmt: skip
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected


@FAST
@given(size=st.integers(1, 24), kernel=st.integers(1, 6), stride=st.integers(1, 4),
       padding=st.integers(0, 3), dilation=st.integers(1, 2), ceil_mode=st.booleans())  # fmt: skip
def test_max_pooling(size, kernel, stride, padding, dilation, ceil_mode) -> None:
    if padding > kernel // 2:
        return  # torch requires padding <= kernel_size / 2
    expected = pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    if expected < 1:
        return
    layer = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected


@FAST
@given(size=st.integers(1, 40), output=st.integers(1, 12))
def test_adaptive_windows(size, output) -> None:
    row = torch.randn(1, 1, size)
    by_windows = torch.stack(
        [row[0, 0, start:end].mean() for start, end in adaptive_windows(size, output)]
    )
    assert torch.allclose(nn.AdaptiveAvgPool1d(output)(row)[0, 0], by_windows, atol=1e-6)
