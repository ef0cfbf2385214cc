"""The attention chapter: hand-written attention, multi-head attention and an encoder block, each
equal to PyTorch's within the stated tolerance, and the mistakes that the comparisons catch."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from examples.attention import (
    TOLERANCE,
    EncoderBlock,
    MultiHeadAttention,
    attention,
    causal_mask,
    close,
    main,
    sinusoidal_encoding,
)
from examples.common import count_parameters


@pytest.fixture(scope="module")
def results():
    return main(["--quick", "--device", "cpu"])


def test_tolerance_is_the_one_the_page_states() -> None:
    assert TOLERANCE == {"rtol": 1e-5, "atol": 1e-5}
    one = torch.ones(3)
    assert close(one, one + 5e-6)
    assert not close(one, one + 1e-4)


def test_hand_attention_equals_sdpa_with_and_without_causal_mask(results) -> None:
    assert results.sdpa == {
        "no mask": True,
        "causal, is_causal=True": True,
        "causal, attn_mask=tril": True,
        "rows sum to 1": True,
        "no weight above the diagonal": True,
        "mask built with triu (looks ahead)": False,
        "no 1/sqrt(d) scale": False,
    }


@pytest.mark.parametrize("seed", range(3))
def test_sdpa_agreement_holds_for_other_shapes(seed: int) -> None:
    torch.manual_seed(seed)
    q, k, v = torch.randn(3, 3, 2, 9, 16).unbind(0)
    mask = causal_mask(9)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert close(attention(q, k, v, mask)[0], expected)
    assert not close(attention(q, k, v, mask.T)[0], expected)  # the wrong triangle
    assert not close(attention(q, k, v)[0], expected)  # no mask at all
    assert not close(attention(q * math.sqrt(16), k, v, mask)[0], expected)  # no scale


def test_causal_mask_is_lower_triangular() -> None:
    mask = causal_mask(4)
    assert mask.dtype == torch.bool
    assert mask.sum().item() == 10  # 1 + 2 + 3 + 4
    assert mask[3].all() and mask[0, 0] and not mask[0, 1:].any()


def test_std_of_dot_product_grows_like_sqrt_d_and_softmax_saturates(results) -> None:
    found = results.saturation
    assert sorted(found) == [16, 64, 256, 1024]
    for d, row in found.items():
        assert row["ratio"] == pytest.approx(1.0, abs=0.05), d  # printed as 1.0
        assert round(row["ratio"], 1) == 1.0
        assert 0.33 < row["largest"][0] < 0.39, d  # scaled: the same at every d
    unscaled = [found[d]["largest"][1] for d in sorted(found)]
    assert unscaled == sorted(unscaled) and unscaled[-1] > 0.95  # creeps to one-hot
    gradients = [found[d]["gradient"][1] for d in sorted(found)]
    assert gradients == sorted(gradients, reverse=True) and gradients[-1] < 0.03
    assert all(found[d]["gradient"][0] > 0.2 for d in found)


def test_multihead_attention_equals_torch_once_weights_are_shared(results) -> None:
    assert results.mha == {
        "parameters": (4224, 4224),
        "no mask": True,
        "causal": True,
        "causal, mask not inverted": False,
    }
    d = 32
    assert 4 * d * d + 4 * d == 4224  # W_q, W_k, W_v, W_o and their biases


def test_a_mask_not_inverted_leaves_the_last_token_nothing_to_look_at() -> None:
    """The page: given the causal mask as it is, nn.MultiheadAttention reads True as "may not
    look", so the last token may look at nothing and comes out as NaN, and only it."""
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(32, 4, batch_first=True)
    x = torch.randn(2, 6, 32)
    with torch.no_grad():
        out = theirs(x, x, x, attn_mask=causal_mask(6))[0]
    assert out[:, -1].isnan().all()
    assert not out[:, :-1].isnan().any()


def test_multihead_state_dict_matches_torch_names() -> None:
    mine = MultiHeadAttention(32, 4).state_dict()
    theirs = nn.MultiheadAttention(32, 4, batch_first=True).state_dict()
    assert {name: t.shape for name, t in mine.items()} == {
        name: t.shape for name, t in theirs.items()
    }


def test_multihead_attention_with_different_weights_differs() -> None:
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(32, 4, batch_first=True)
    mine = MultiHeadAttention(32, 4)  # its own random weights, not copied
    x = torch.randn(2, 6, 32)
    with torch.no_grad():
        assert not close(mine(x), theirs(x, x, x, need_weights=False)[0])


def test_encoder_block_equals_torch_layer(results) -> None:
    assert results.block == {
        "parameters": (8544, 8544),
        "train mode": True,
        "eval mode (fast path)": True,
        "causal": True,
    }


def test_eval_mode_without_gradients_takes_the_fast_path(monkeypatch) -> None:
    """The page: in eval mode, with gradients off or no parameter requiring them, torch 2.14
    computes the block in one native function."""
    calls = []
    native = torch._transformer_encoder_layer_fwd

    def counting(*args, **kwargs):
        calls.append(1)
        return native(*args, **kwargs)

    monkeypatch.setattr(torch, "_transformer_encoder_layer_fwd", counting)
    layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=True)
    x = torch.randn(2, 6, 32)
    with torch.no_grad():
        layer.train()(x)
        assert calls == []
        layer.eval()(x)
        assert calls == [1]
    layer(x)  # gradients on: the parameters require grad, so the slow path again
    assert calls == [1]
    layer.requires_grad_(False)
    layer(x)  # gradients on, but no parameter requires them: the fast path
    assert calls == [1, 1]


def test_encoder_block_matches_torch_without_the_fast_path_too() -> None:
    torch.manual_seed(1)
    theirs = nn.TransformerEncoderLayer(
        32, 4, 64, dropout=0.0, batch_first=True, norm_first=True
    ).eval()
    mine = EncoderBlock(32, 4, 64)
    mine.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 7, 32)
    with torch.no_grad():
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            slow = theirs(x)
        finally:
            torch.backends.mha.set_fastpath_enabled(True)
        fast = theirs(x)
        assert close(mine(x), slow) and close(mine(x), fast)
        post_norm = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True).eval()
        post_norm.load_state_dict(theirs.state_dict())
        assert not close(mine(x), post_norm(x))  # norm_first=False is another block


@pytest.mark.parametrize(
    ("d_model", "heads", "feedforward"), [(32, 4, 64), (64, 8, 256), (32, 1, 64)]
)
def test_parameter_counts_match_torch(d_model: int, heads: int, feedforward: int) -> None:
    theirs = nn.TransformerEncoderLayer(d_model, heads, feedforward, batch_first=True)
    mine = EncoderBlock(d_model, heads, feedforward)
    expected = 4 * d_model**2 + 4 * d_model + 2 * d_model * feedforward + feedforward + 5 * d_model
    assert count_parameters(mine) == count_parameters(theirs) == expected


def test_attention_alone_ignores_order_and_positions_break_the_symmetry(results) -> None:
    assert results.order == {
        "without positions, shuffled in = shuffled out": True,
        "with positions, shuffled in = shuffled out": False,
    }


def test_sinusoidal_encoding_values() -> None:
    pe = sinusoidal_encoding(50, 32)
    assert pe.shape == (50, 32)
    assert torch.equal(pe[0, 0::2], torch.zeros(16)) and torch.equal(pe[0, 1::2], torch.ones(16))
    assert pe[1, 0].item() == pytest.approx(math.sin(1.0))
    assert pe[7, 2].item() == pytest.approx(math.sin(7 / 10000 ** (2 / 32)), abs=1e-6)
    assert pe.abs().max() <= 1


def test_repeated_tokens_map(results) -> None:
    found = results.map
    assert found["looks_at_itself"] is True
    weights = found["weights"]
    assert weights.shape == (12, 12)
    assert weights[0, 0].item() == 1.0  # the first token sees only itself
    assert found["text"] == "ADBADDDDBDBC" and found["text"].count("C") == 1
    assert weights[-1, -1].item() > 0.9  # the only C, last: almost all its weight on itself
    assert torch.equal(weights.triu(1), torch.zeros(12, 12))
    assert close(weights.sum(-1), torch.ones(12))


def test_causal_block_output_ignores_later_tokens() -> None:
    """Exercise 3: with the causal mask, changing the last token leaves earlier outputs alone."""
    torch.manual_seed(0)
    block = EncoderBlock(32, 4, 64)
    x = torch.randn(1, 6, 32)
    changed = x.clone()
    changed[:, -1] = torch.randn(32)
    mask = causal_mask(6)
    with torch.no_grad():
        assert close(block(x, mask)[:, :-1], block(changed, mask)[:, :-1])
        assert not close(block(x)[:, :-1], block(changed)[:, :-1])


def test_full_run_draws_the_figures(tmp_path) -> None:
    drawn = main(["--device", "cpu", "--out", str(tmp_path)]).figures
    assert drawn == {"en": tmp_path / "attention.en.svg", "zh": tmp_path / "attention.zh.svg"}
    assert all(b"<svg" in path.read_bytes() for path in drawn.values())
