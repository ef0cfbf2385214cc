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
    small_model,
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
        ("2.0", (3, 8)),
        ("2.1", (3, 2)),
    ]
    assert results["parameters"] == {"plain list": 0, "ModuleList": 330}
    assert results["model_parameters"] == 66  # Scaled(4, 8): 32 + 8 + 8; Linear(8, 2): 18


def test_small_model_returns_logits_for_cross_entropy() -> None:
    """The page: the model ends in its last Linear, and CrossEntropyLoss applies log-softmax."""
    model = small_model()
    assert isinstance(model[-1][-1], nn.Linear)
    assert not any(isinstance(m, (nn.Softmax, nn.LogSoftmax)) for m in model.modules())
    assert [n for n, _ in model.named_modules()] == ["", "0", "0.linear", "1", "2", "2.0", "2.1"]
    assert list(model.state_dict())[-2:] == ["2.1.weight", "2.1.bias"]
    torch.manual_seed(0)
    logits, target = model(torch.randn(5, 4)), torch.tensor([0, 1, 1, 0, 1])
    expected = nn.functional.nll_loss(torch.log_softmax(logits, dim=1), target)
    assert torch.allclose(nn.CrossEntropyLoss()(logits, target), expected)


def test_dictionaries_hold_hooks_or_flags() -> None:
    """The page: the _with_kwargs and _always_called dictionaries hold a flag per hook."""
    layer = nn.Linear(2, 2)
    layer.register_forward_hook(lambda *args: None, with_kwargs=True, always_call=True)
    layer.register_forward_pre_hook(lambda *args, **kwargs: None, with_kwargs=True)
    flags = [n for n in internal_dictionaries() if n.endswith(("_with_kwargs", "_always_called"))]
    assert len(flags) == 3
    assert all(set(getattr(layer, n).values()) == {True} for n in flags)
    hooks = [n for n in internal_dictionaries() if n.endswith("_hooks")]
    assert all(callable(f) for n in hooks for f in getattr(layer, n).values())


def test_double_converts_registered_floating_state_only() -> None:
    doubled = Scaled(4, 8).double()
    assert doubled.scale.dtype == torch.float64
    assert doubled.calls.dtype == torch.int64
    assert doubled.offset.dtype == torch.float32


def test_assigning_a_tensor_to_a_buffer_name_keeps_it_a_buffer() -> None:
    """The page: self.calls += 1 in forward leaves calls in _buffers, not in __dict__."""
    from examples.module_internals import Scaled, where_it_lives

    layer = Scaled(4, 8)
    layer(torch.randn(2, 4))
    assert where_it_lives(layer, "calls") == "_buffers"
    assert layer.calls.item() == 1
    assert "calls" not in vars(layer)
    assert layer.state_dict()["calls"].item() == 1
