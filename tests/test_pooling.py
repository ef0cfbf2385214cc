"""What the chapter "Pooling" claims, checked against examples/pooling.py."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from examples import pooling
from examples.photo import load_photo
from examples.pooling import adaptive_windows, pool_output_size

FAST = settings(max_examples=150, deadline=None)


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


@FAST
@given(size=st.integers(1, 24), kernel=st.integers(1, 6), stride=st.integers(1, 4),
       padding=st.integers(0, 3), dilation=st.integers(1, 2), ceil_mode=st.booleans())  # fmt: skip
def test_output_size_formula_matches_max_pooling(
    size, kernel, stride, padding, dilation, ceil_mode
) -> None:
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
