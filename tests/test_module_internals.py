"""What the nn.Module chapter claims, checked against the installed torch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from examples.module_internals import (
    PlainList,
    Registered,
    Scaled,
    internal_dictionaries,
    main,
    where_it_lives,
)


def test_setattr_files_each_kind_of_attribute() -> None:
    layer = Scaled(4, 8)
    assert {n: where_it_lives(layer, n) for n in ("linear", "scale", "calls", "offset")} == {
        "linear": "_modules",
        "scale": "_parameters",
        "calls": "_buffers",
        "offset": "__dict__",
    }


def test_plain_tensor_is_neither_saved_nor_a_parameter() -> None:
    layer = Scaled(4, 8)
    assert "offset" not in layer.state_dict()
    assert "calls" in layer.state_dict()
    assert [n for n, _ in layer.named_parameters()] == ["scale", "linear.weight", "linear.bias"]


def test_dictionaries_are_read_from_torch_not_typed() -> None:
    names = internal_dictionaries()
    assert {"_parameters", "_buffers", "_modules", "_forward_hooks"} <= set(names)
    assert len(names) > 8  # the source's "8 dictionaries" is out of date
    assert names == [k for k, v in vars(nn.Module()).items() if isinstance(v, dict)]


def test_plain_list_hides_parameters_from_the_optimizer() -> None:
    assert sum(p.numel() for p in PlainList().parameters()) == 0
    assert sum(p.numel() for p in Registered().parameters()) == 3 * (10 * 10 + 10)
    with pytest.raises(ValueError, match="empty parameter list"):
        torch.optim.SGD(PlainList().parameters(), lr=0.1)


def test_main_reports_shapes_from_the_hooks_and_removes_them() -> None:
    results = main(["--device", "cpu"])
    assert results["shapes"] == [
        ("0.linear", (3, 8)),
        ("1", (3, 8)),
        ("2.0", (3, 2)),
        ("2.1", (3, 2)),
    ]
    assert results["parameters"] == {"plain list": 0, "ModuleList": 330}
