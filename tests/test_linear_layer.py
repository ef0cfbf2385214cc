"""What the chapter "The linear layer" claims, checked against examples/linear_layer.py."""

from __future__ import annotations

from examples import linear_layer


def test_linear_worked_example_and_collapse() -> None:
    results = linear_layer.main([])
    assert results["worked"] == [6.5, 12.5, 18.5, 24.5]
    assert results["collapse_error"] < 1e-5
