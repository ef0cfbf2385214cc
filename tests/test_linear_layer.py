"""What the chapter "The linear layer" claims, checked against examples/linear_layer.py."""

from __future__ import annotations

from examples import linear_layer


def test_linear_worked_example_and_collapse() -> None:
    results = linear_layer.main([])
    assert results["worked"] == [6.5, 12.5, 18.5, 24.5]
    assert results["collapse_error"] < 1e-5


def test_exercises_shapes_inputs_and_the_affine_check() -> None:
    import torch
    from torch import nn

    small = nn.Linear(3, 4)
    assert small.weight.shape == (4, 3) and small.bias.shape == (4,)
    assert sum(p.numel() for p in small.parameters()) == 16
    assert small(torch.randn(2, 5, 3)).shape == (2, 5, 4)
    out = linear_layer.worked_layer()(torch.tensor([[3.0, 2.0, 1.0], [-1.0, 0.0, 1.0]]))
    assert out.tolist() == [[6.5, 12.5, 18.5, 24.5], [0.5, 0.5, 0.5, 0.5]]
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Linear(5, 8), nn.Linear(8, 8), nn.Linear(8, 3))
    bent = nn.Sequential(stack[0], nn.ReLU(), stack[1], nn.ReLU(), stack[2])
    torch.manual_seed(1)
    a, b, zero = torch.randn(1, 5), torch.randn(1, 5), torch.zeros(1, 5)

    def gap(net: nn.Module) -> float:
        return (net(a + b) - (net(a) + net(b) - net(zero))).abs().max().item()

    assert gap(stack) < 1e-6
    assert gap(bent) > 1e-3
