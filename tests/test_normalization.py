"""What the chapter "Normalization layers" claims, checked against examples/normalization.py."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from examples.normalization import (
    BAND,
    FIGURES,
    DeepNet,
    Results,
    batch_statistics,
    group_norm_by_hand,
    layer_norm_by_hand,
    main,
    normalize,
    run_deep,
    update_running,
)


@pytest.fixture(scope="module")
def results() -> Results:
    return main(["--quick", "--device", "cpu"])


def test_main_checks_every_claim_against_torch(results: Results) -> None:
    assert len(results.checks) == 9
    assert all(results.checks.values()), [name for name, ok in results.checks.items() if not ok]
    assert results.figures is None  # --quick draws nothing


def test_batch_norm_2d_normalizes_each_channel_over_batch_height_and_width() -> None:
    torch.manual_seed(1)
    x = torch.randn(8, 3, 4, 4) * 3 + 2
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():  # a trained-looking scale and shift, so the affine part is checked too
        bn.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
        bn.bias.copy_(torch.tensor([1.0, -3.0, 0.25]))
    y = bn(x)
    mean, biased, unbiased = batch_statistics(x)
    assert mean.shape == biased.shape == (3,)
    assert torch.allclose(mean, x.permute(1, 0, 2, 3).reshape(3, -1).mean(dim=1))
    assert torch.allclose(y, normalize(x, mean, biased, bn.weight, bn.bias, bn.eps), atol=1e-5)
    # The unbiased variance is not what training normalizes with.
    assert not torch.allclose(y, normalize(x, mean, unbiased, bn.weight, bn.bias), atol=1e-3)
    y_mean, y_var, _ = batch_statistics(
        ((y - bn.bias.view(1, 3, 1, 1)) / bn.weight.view(1, 3, 1, 1)).detach()
    )
    assert (y_mean.abs() < 1e-5).all() and ((y_var - 1).abs() < 1e-4).all()


@pytest.mark.parametrize("shape", [(16, 5), (16, 5, 7)])
def test_batch_norm_1d_averages_over_batch_and_positions(shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    x = torch.randn(*shape) * 2 - 1
    mean, biased, _ = batch_statistics(x)
    bn = nn.BatchNorm1d(5)
    assert torch.allclose(bn(x), normalize(x, mean, biased, bn.weight, bn.bias), atol=1e-5)


def test_page_small_batch_statistics_and_buffers() -> None:
    """The four-sample batch the page works through in the head."""
    batch = torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0], [7.0, 14.0]])
    mean, biased, unbiased = batch_statistics(batch)
    assert mean.tolist() == [4.0, 8.0]
    assert biased.tolist() == [5.0, 20.0]
    assert unbiased.tolist() == pytest.approx([20 / 3, 80 / 3])
    bn = nn.BatchNorm1d(2)
    out = bn(batch)
    assert out[:, 0].tolist() == pytest.approx(
        [(v - 4) / math.sqrt(5) for v in (1, 3, 5, 7)], abs=1e-5
    )
    assert bn.running_mean.tolist() == pytest.approx([0.4, 0.8])
    assert bn.running_var.tolist() == pytest.approx([0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 80 / 3])
    assert bn.num_batches_tracked.item() == 1


def test_buffers_follow_the_momentum_rule_with_the_unbiased_variance() -> None:
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(3, momentum=0.3)
    assert [name for name, _ in bn.named_buffers()] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    running_mean, running_var = torch.zeros(3), torch.ones(3)
    for _ in range(4):
        x = torch.randn(4, 3, 5, 5) * 2 + 1
        mean, biased, unbiased = batch_statistics(x)
        running_mean = update_running(running_mean, mean, 0.3)
        biased_rule = update_running(running_var, biased, 0.3)
        running_var = update_running(running_var, unbiased, 0.3)
        bn(x)
        assert torch.allclose(bn.running_mean, running_mean)
        assert torch.allclose(bn.running_var, running_var)
        assert not torch.allclose(bn.running_var, biased_rule)
    assert bn.num_batches_tracked.item() == 4
    assert "running_var" in bn.state_dict() and "num_batches_tracked" in bn.state_dict()


def test_momentum_weights_the_new_batch() -> None:
    """Exercise 2: momentum 1 keeps the last batch only, momentum 0 never moves."""
    torch.manual_seed(0)
    last_only, frozen = nn.BatchNorm1d(2, momentum=1.0), nn.BatchNorm1d(2, momentum=0.0)
    for _ in range(2):
        batch = torch.randn(16, 2) * 2 + 5
        last_only(batch)
        frozen(batch)
    mean, _, unbiased = batch_statistics(batch)
    assert torch.allclose(last_only.running_mean, mean)
    assert torch.allclose(last_only.running_var, unbiased)
    assert frozen.running_mean.tolist() == [0.0, 0.0] and frozen.running_var.tolist() == [1.0, 1.0]
    assert frozen.num_batches_tracked.item() == 2


def test_eval_uses_the_buffers_and_does_not_depend_on_the_batch() -> None:
    torch.manual_seed(0)
    x = torch.randn(8, 3, 4, 4) * 3 + 2
    bn = nn.BatchNorm2d(3)
    y_train = bn(x)
    buffers = [b.clone() for b in bn.buffers()]
    bn.eval()
    y_eval = bn(x)
    assert torch.allclose(
        y_eval, normalize(x, bn.running_mean, bn.running_var, bn.weight, bn.bias), atol=1e-5
    )
    assert not torch.allclose(y_eval, y_train, atol=1e-3)
    assert all(torch.equal(a, b) for a, b in zip(buffers, bn.buffers(), strict=True))
    assert torch.allclose(bn(x[:1]), y_eval[:1], atol=1e-5)
    bn.train()
    assert not torch.allclose(bn(x[:2])[:1], y_train[:1], atol=1e-3)


def test_model_eval_reaches_nested_batch_norm() -> None:
    model = DeepNet(width=4, depth=3, batch_norm=True)
    model.eval()
    assert not any(block.norm.training for block in model.blocks)
    model.train()
    assert all(block.norm.training for block in model.blocks)


def test_a_batch_of_one_value_per_channel_is_refused_only_in_training() -> None:
    single = nn.BatchNorm1d(4)
    with pytest.raises(ValueError) as caught:
        single(torch.randn(1, 4))
    assert str(caught.value) == (
        "Expected more than 1 value per channel when training, got input size torch.Size([1, 4])"
    )
    single.eval()
    assert single(torch.randn(1, 4)).shape == (1, 4)
    assert nn.BatchNorm2d(3)(torch.randn(1, 3, 4, 4)).shape == (1, 3, 4, 4)  # H x W values
    single.train()
    assert single(torch.randn(1, 4, 3)).shape == (1, 4, 3)  # a sequence: L values per channel


def test_layer_norm_normalizes_each_token_over_its_features() -> None:
    torch.manual_seed(0)
    tokens = torch.randn(2, 5, 8) * 4 + 3
    ln = nn.LayerNorm(8)
    out = ln(tokens)
    assert list(ln.buffers()) == []
    assert torch.allclose(out, layer_norm_by_hand(tokens, 1), atol=1e-5)
    assert (out.mean(dim=-1).abs() < 1e-5).all()
    assert ((out.var(dim=-1, correction=0) - 1).abs() < 1e-3).all()
    assert torch.allclose(ln(tokens[:1]), out[:1], atol=1e-6)
    assert torch.allclose(ln(tokens[:, :2]), out[:, :2], atol=1e-6)  # other tokens do not matter
    ln.eval()
    assert torch.allclose(ln(tokens), out)


def test_group_norm_per_sample_and_group_and_its_extremes() -> None:
    torch.manual_seed(0)
    images = torch.randn(2, 6, 4, 4) * 3 + 2
    gn = nn.GroupNorm(3, 6)
    out = gn(images)
    assert gn.weight.shape == (6,) and list(gn.buffers()) == []
    assert torch.allclose(out, group_norm_by_hand(images, 3), atol=1e-5)
    per_group = out.reshape(2, 3, -1)
    assert (per_group.mean(dim=-1).abs() < 1e-5).all()
    assert torch.allclose(gn(images[:1]), out[:1], atol=1e-6)
    assert not torch.allclose(out, group_norm_by_hand(images, 2), atol=1e-3)
    assert torch.allclose(nn.GroupNorm(1, 6)(images), nn.LayerNorm([6, 4, 4])(images), atol=1e-5)
    assert torch.allclose(nn.GroupNorm(6, 6)(images), nn.InstanceNorm2d(6)(images), atol=1e-5)


def test_deep_network_without_batch_norm_overflows_at_layer_31(results: Results) -> None:
    plain = results.runs["plain"]
    assert plain.first_non_finite == 31
    assert all(isinstance(block.norm, nn.Identity) for block in DeepNet(4, 2).blocks)
    assert 14 < plain.stds[0] < 18


def test_batch_norm_keeps_every_layer_at_unit_scale(results: Results) -> None:
    normed = results.runs["batch_norm"]
    assert normed.first_non_finite is None
    assert len(normed.stds) == 100
    assert all(BAND[0] <= s <= BAND[1] for s in normed.stds)
    assert all(14 <= s <= 18 for s in normed.linear_stds)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_experiment_holds_for_other_seeds(seed: int) -> None:
    torch.manual_seed(seed)
    plain = run_deep(batch_norm=False)
    torch.manual_seed(seed)
    normed = run_deep(batch_norm=True)
    assert 29 <= plain.first_non_finite <= 33
    assert all(BAND[0] <= s <= BAND[1] for s in normed.stds)


def test_eval_mode_with_fresh_buffers_overflows_like_the_plain_network(results: Results) -> None:
    """Exercise 1."""
    torch.manual_seed(0)
    fresh = run_deep(batch_norm=True, train=False)
    assert fresh.first_non_finite == results.runs["plain"].first_non_finite == 31


def test_a_bias_before_batch_norm_changes_nothing_in_training() -> None:
    """Exercise 3 and DeepNet's bias=False."""
    torch.manual_seed(0)
    with_bias, without_bias = nn.Linear(8, 4), nn.Linear(8, 4, bias=False)
    with torch.no_grad():
        without_bias.weight.copy_(with_bias.weight)
        with_bias.bias.fill_(3.0)
    inputs = torch.randn(16, 8)
    norm = nn.BatchNorm1d(4)
    assert torch.allclose(norm(with_bias(inputs)), norm(without_bias(inputs)), atol=1e-5)
    assert not torch.allclose(with_bias(inputs), without_bias(inputs))
    assert all(block.linear.bias is None for block in DeepNet(width=4, depth=2).blocks)


def test_full_run_draws_the_figure(tmp_path: Path) -> None:
    drawn = main(["--out", str(tmp_path), "--device", "cpu"]).figures
    assert drawn == {
        "en": tmp_path / "std_per_layer.en.svg",
        "zh": tmp_path / "std_per_layer.zh.svg",
    }
    assert {path.name for path in drawn.values()} == set(FIGURES)
    assert b"<svg" in drawn["en"].read_bytes() and b"<svg" in drawn["zh"].read_bytes()
