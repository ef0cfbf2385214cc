"""Attention and the Transformer block: scaled dot-product attention, multi-head attention and a
pre-norm encoder block written by hand, each checked against PyTorch's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# isort: split
# --8<-- [start:imports]
import math

import torch
import torch.nn.functional as F
from torch import nn

# --8<-- [end:imports]
from examples.common import (
    FIGURE_WIDTH,
    build_parser,
    count_parameters,
    draw_in_languages,
    parse_args,
    save_figure,
    seed_everything,
)

FIGURES = ("attention.en.svg", "attention.zh.svg")
WORDS = {
    "en": {"map": "causal self-attention weights", "query": "query (token)",
           "key": "key (token)", "pe": "sinusoidal positional encoding",
           "position": "position", "dimension": "dimension"},
    "zh": {"map": "因果自注意力的权重", "query": "查询（词元）", "key": "键（词元）",
           "pe": "正弦位置编码", "position": "位置", "dimension": "维度"},
}  # fmt: skip


# --8<-- [start:attention]
def attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √d) v over the last two dimensions, and the weights.

    ``mask`` is boolean, True where a query may look at a key (as in
    F.scaled_dot_product_attention); False entries get the weight 0.
    """
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., queries, keys)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0
    weights = scores.softmax(dim=-1)  # each row sums to 1
    return weights @ v, weights


def causal_mask(tokens: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """True on and below the diagonal: token i may look at tokens 0..i, not ahead."""
    return torch.tril(torch.ones(tokens, tokens, dtype=torch.bool, device=device))


# --8<-- [end:attention]


# --8<-- [start:tolerance]
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}  # float32 sums in another order differ in the last bits


def close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, **TOLERANCE)


# --8<-- [end:tolerance]


# --8<-- [start:sdpa]
def compare_with_sdpa(
    batch: int = 2, heads: int = 4, tokens: int = 6, d: int = 8,
    device: torch.device | str = "cpu",
) -> dict[str, bool]:  # fmt: skip
    # random numbers drawn on the CPU, then moved: the same on every device
    q, k, v = torch.randn(3, batch, heads, tokens, d).to(device).unbind(0)
    mask = causal_mask(tokens, device)  # tril: on and below the diagonal
    wrong = torch.triu(torch.ones(tokens, tokens, dtype=torch.bool, device=device))  # ahead
    out, weights = attention(q, k, v)
    out_causal, weights_causal = attention(q, k, v, mask)
    print("q, k, v:", tuple(q.shape), " output:", tuple(out.shape))
    print("weights:", tuple(weights.shape))
    torch_out = F.scaled_dot_product_attention(q, k, v)
    torch_causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    checks = {
        "no mask": close(out, torch_out),
        "causal, is_causal=True": close(out_causal, torch_causal),
        "causal, attn_mask=tril": close(
            out_causal, F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        ),
        "rows sum to 1": close(weights_causal.sum(-1), torch.ones_like(weights_causal[..., 0])),
        "no weight above the diagonal": bool((weights_causal[..., ~mask] == 0).all()),
        # two mistakes that the comparison catches:
        "mask built with triu (looks ahead)": close(attention(q, k, v, wrong)[0], torch_causal),
        "no 1/sqrt(d) scale": close((q @ k.transpose(-2, -1)).softmax(-1) @ v, torch_out),
    }
    for name, same in checks.items():
        print(f"{name + ':':<36}{same}")
    return checks


# --8<-- [end:sdpa]


# --8<-- [start:scale]
def softmax_saturation(
    dims: tuple[int, ...] = (16, 64, 256, 1024), keys: int = 8, rows: int = 2000,
    device: torch.device | str = "cpu",
) -> dict:  # fmt: skip
    """For q, k with unit-variance entries: the spread of q·k, and how peaked the softmax gets."""
    print(f"{'d':>5}{'std(q·k) / sqrt(d)':>20}{'largest weight':>22}{'its gradient w(1 - w)':>26}")
    print(f"{'':>25}{'scaled  unscaled':>22}{'scaled  unscaled':>26}")
    found = {}
    for d in dims:
        q, k = torch.randn(rows, 1, d).to(device), torch.randn(rows, keys, d).to(device)
        dots = (q @ k.transpose(-2, -1)).squeeze(1)  # (rows, keys)
        ratio = (dots.std() / math.sqrt(d)).item()
        scaled = (dots / math.sqrt(d)).softmax(-1).amax(-1)
        unscaled = dots.softmax(-1).amax(-1)
        gradient = [(w * (1 - w)).mean().item() for w in (scaled, unscaled)]
        found[d] = {"ratio": ratio, "largest": (scaled.mean().item(), unscaled.mean().item()),
                    "gradient": tuple(gradient)}  # fmt: skip
        print(f"{d:>5}{ratio:>20.1f}{scaled.mean().item():>14.2f}{unscaled.mean().item():>8.2f}"
              f"{gradient[0]:>18.2f}{gradient[1]:>8.2f}")  # fmt: skip
    return found


# --8<-- [end:scale]


# --8<-- [start:multihead]
class MultiHeadAttention(nn.Module):
    """Self-attention with ``heads`` heads; parameters named as in nn.MultiheadAttention."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        assert d_model % heads == 0, "each head gets d_model / heads dimensions"
        self.heads = heads
        # W_q, W_k, W_v stacked into one (3 d_model, d_model) matrix: three linear layers in one
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model))
        self.out_proj = nn.Linear(d_model, d_model)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        batch, tokens, d_model = x.shape
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        # split: (batch, tokens, d_model) -> (batch, heads, tokens, d_model / heads)
        q, k, v = (t.view(batch, tokens, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        out, _ = attention(q, k, v, mask)  # every head attends on its own
        # merge: (batch, heads, tokens, d_head) -> (batch, tokens, d_model)
        out = out.transpose(1, 2).reshape(batch, tokens, d_model)
        return self.out_proj(out)


# --8<-- [end:multihead]


# --8<-- [start:mha_check]
def compare_with_torch_mha(
    d_model: int = 32, heads: int = 4, batch: int = 2, tokens: int = 6,
    device: torch.device | str = "cpu",
) -> dict:  # fmt: skip
    theirs = nn.MultiheadAttention(d_model, heads, batch_first=True).to(device)
    mine = MultiHeadAttention(d_model, heads).to(device)
    mine.load_state_dict(theirs.state_dict())  # strict: the same names and shapes
    x = torch.randn(batch, tokens, d_model).to(device)
    allowed = causal_mask(tokens, device)
    with torch.no_grad():
        checks = {
            "no mask": close(mine(x), theirs(x, x, x, need_weights=False)[0]),
            # nn.MultiheadAttention's boolean mask is True where a query may NOT look
            "causal": close(mine(x, allowed), theirs(x, x, x, attn_mask=~allowed)[0]),
            "causal, mask not inverted": close(
                mine(x, allowed), theirs(x, x, x, attn_mask=allowed)[0]
            ),
        }
    counts = (count_parameters(mine), count_parameters(theirs))
    print("parameters: mine", counts[0], " nn.MultiheadAttention", counts[1])
    for name, same in checks.items():
        print(f"{name + ':':<28}{same}")
    return {"parameters": counts, **checks}


# --8<-- [end:mha_check]


# --8<-- [start:block]
class EncoderBlock(nn.Module):
    """Pre-norm Transformer encoder block, submodules named as in nn.TransformerEncoderLayer."""

    def __init__(self, d_model: int, heads: int, dim_feedforward: int) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, heads)
        self.linear1 = nn.Linear(d_model, dim_feedforward)  # the feed-forward network:
        self.activation = nn.ReLU()  # the same small MLP on every token
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.self_attn(self.norm1(x), mask)  # tokens exchange information
        x = x + self.linear2(self.activation(self.linear1(self.norm2(x))))  # each token alone
        return x


# --8<-- [end:block]


# --8<-- [start:block_check]
def compare_with_torch_layer(
    d_model: int = 32, heads: int = 4, dim_feedforward: int = 64, batch: int = 2, tokens: int = 6,
    device: torch.device | str = "cpu",
) -> dict:  # fmt: skip
    theirs = nn.TransformerEncoderLayer(
        d_model, heads, dim_feedforward, dropout=0.0, batch_first=True, norm_first=True
    ).to(device)
    mine = EncoderBlock(d_model, heads, dim_feedforward).to(device)
    mine.load_state_dict(theirs.state_dict())  # strict
    x = torch.randn(batch, tokens, d_model).to(device)
    allowed = causal_mask(tokens, device)
    counts = (count_parameters(mine), count_parameters(theirs))
    with torch.no_grad():
        checks = {
            "train mode": close(mine(x), theirs.train()(x)),
            "eval mode (fast path)": close(mine(x), theirs.eval()(x)),
            "causal": close(mine(x, allowed), theirs(x, src_mask=~allowed)),
        }
    print("parameters: mine", counts[0], " nn.TransformerEncoderLayer", counts[1])
    for name, same in checks.items():
        print(f"{name + ':':<30}{same}")
    return {"parameters": counts, **checks}


# --8<-- [end:block_check]


# --8<-- [start:positions]
def sinusoidal_encoding(tokens: int, d_model: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)); (tokens, d)."""
    position = torch.arange(tokens, dtype=torch.float32).unsqueeze(1)  # (tokens, 1)
    frequency = 10000 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    encoding = torch.zeros(tokens, d_model)
    encoding[:, 0::2] = torch.sin(position * frequency)
    encoding[:, 1::2] = torch.cos(position * frequency)
    return encoding


def order_checks(
    d_model: int = 32, heads: int = 4, dim_feedforward: int = 64, tokens: int = 6,
    device: torch.device | str = "cpu",
) -> dict:  # fmt: skip
    block = EncoderBlock(d_model, heads, dim_feedforward).to(device)
    x = torch.randn(1, tokens, d_model).to(device)
    shuffle = torch.randperm(tokens).to(device)
    pe = sinusoidal_encoding(tokens, d_model).to(device)
    with torch.no_grad():
        checks = {
            "without positions, shuffled in = shuffled out": close(
                block(x[:, shuffle]), block(x)[:, shuffle]
            ),
            "with positions, shuffled in = shuffled out": close(
                block(x[:, shuffle] + pe), block(x + pe)[:, shuffle]
            ),
        }
    print("order:", shuffle.tolist())
    for name, same in checks.items():
        print(f"{name + ':':<48}{same}")
    return checks


# --8<-- [end:positions]


# --8<-- [start:map]
def repeated_tokens(
    tokens: int = 12, vocabulary: str = "ABCD", d: int = 16, device: torch.device | str = "cpu"
) -> dict:
    """Causal self-attention of a random token sequence on itself, q = k = v = embeddings."""
    ids = torch.randint(len(vocabulary), (tokens,)).to(device)
    embedding = torch.randn(len(vocabulary), d).to(device)
    x = embedding[ids]  # (tokens, d)
    _, weights = attention(x, x, x, causal_mask(tokens, device))
    text = "".join(vocabulary[i] for i in ids.tolist())
    looks_at_itself = bool((ids[weights.argmax(-1)] == ids).all())
    print("sequence:", text)
    print("each token looks hardest at a copy of itself:", looks_at_itself)
    return {"text": text, "weights": weights, "looks_at_itself": looks_at_itself}


# --8<-- [end:map]


@dataclass
class Results:
    sdpa: dict[str, bool]
    saturation: dict
    mha: dict
    block: dict
    order: dict[str, bool]
    map: dict
    figures: dict[str, Path] | None


def draw(
    text: str, weights: torch.Tensor, encoding: torch.Tensor, *, language: str, path: Path
) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(FIGURE_WIDTH, 3.4), layout="constrained", width_ratios=(1, 1.35)
    )
    hidden = ~causal_mask(len(text), weights.device)  # masked out: drawn blank, not as 0
    shown = left.imshow(weights.masked_fill(hidden, math.nan).cpu().numpy(), vmin=0, vmax=1)
    ticks = range(len(text))
    left.set_xticks(ticks, list(text))
    left.set_yticks(ticks, list(text))
    left.set(title=words["map"], xlabel=words["key"], ylabel=words["query"])
    figure.colorbar(shown, ax=left, shrink=0.85)
    shown = right.imshow(encoding.T.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    right.set(title=words["pe"], xlabel=words["position"], ylabel=words["dimension"])
    figure.colorbar(shown, ax=right, shrink=0.85)
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> Results:
    parser = build_parser("attention", __doc__)
    parser.description = f"{__doc__} --quick draws no figure."
    args = parse_args(parser, argv)
    device = args.device
    runs = {}
    for name, function in (("sdpa", compare_with_sdpa), ("saturation", softmax_saturation),
                           ("mha", compare_with_torch_mha), ("block", compare_with_torch_layer),
                           ("order", order_checks), ("map", repeated_tokens)):  # fmt: skip
        seed_everything(args.seed)  # each part starts from the seed, as on the page
        runs[name] = function(device=device)
    figures = None
    if not args.quick:
        encoding = sinusoidal_encoding(48, 32)
        figures = draw_in_languages(
            draw, args.out / "attention.svg", runs["map"]["text"], runs["map"]["weights"], encoding
        )
    return Results(**runs, figures=figures)


if __name__ == "__main__":
    main()
