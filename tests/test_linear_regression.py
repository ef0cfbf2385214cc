"""What the linear-regression chapter claims, checked against examples/linear_regression.py."""

from __future__ import annotations

import math

import pytest
import torch

from examples.linear_regression import Fit, half_mse, main, make_data


@pytest.fixture(scope="module")
def fit() -> Fit:
    return main(["--quick", "--device", "cpu"])


def test_fit_lands_near_the_true_line(fit: Fit) -> None:
    assert fit.w == pytest.approx(2, abs=0.2)
    assert fit.b == pytest.approx(5, abs=0.6)


def test_fit_matches_least_squares(fit: Fit) -> None:
    x, y = make_data(generator=torch.Generator().manual_seed(0))
    design = torch.cat([x, torch.ones_like(x)], dim=1)
    w, b = torch.linalg.lstsq(design, y).solution.squeeze().tolist()
    assert (fit.w, fit.b) == pytest.approx((w, b), abs=0.02)


def test_loss_falls_and_first_drops_below_one_at_116(fit: Fit) -> None:
    assert fit.losses[-1] < fit.losses[0] / 100
    assert fit.first_below_threshold == 116
    assert fit.losses[115] < 1 <= fit.losses[114]


def test_stopping_at_the_threshold_leaves_the_bias_far_off() -> None:
    early = main(["--quick", "--stop-at-threshold"])
    assert early.iterations == 116
    assert early.w == pytest.approx(2, abs=0.3)
    assert abs(early.b - 5) > 1.5


def test_the_half_cancels_the_two_in_the_gradient() -> None:
    y_pred = torch.tensor([3.0, 5.0], requires_grad=True)
    y = torch.tensor([1.0, 1.0])
    half_mse(y_pred, y).backward()
    assert y_pred.grad.tolist() == [1.0, 2.0]  # (y_pred - y) / n, no factor 2


def test_learning_rate_003_converges_for_every_seed_tried() -> None:
    for seed in range(30):
        fit = main(["--quick", "--seed", str(seed)])
        assert math.isfinite(fit.losses[-1]), f"seed {seed} diverged"
        assert fit.losses[-1] < 1, f"seed {seed} did not converge"


def test_learning_rate_005_diverges_for_seed_5() -> None:
    fit = main(["--quick", "--lr", "0.05", "--seed", "5"])
    assert math.isnan(fit.w) and math.isnan(fit.b)
    assert fit.first_below_threshold is None
    assert math.isfinite(main(["--quick", "--lr", "0.05", "--seed", "0"]).losses[-1])


def test_full_run_draws_the_figure_in_each_language(tmp_path) -> None:
    fit = main(["--out", str(tmp_path)])
    assert fit.figures == {"en": tmp_path / "fit.en.svg", "zh": tmp_path / "fit.zh.svg"}
    english, chinese = (path.read_text(encoding="utf-8") for path in fit.figures.values())
    assert english.startswith("<?xml") and "<svg" in english
    assert english != chinese, "the Chinese figure is the English one"


def test_the_figure_is_the_same_bytes_every_time(tmp_path) -> None:
    first = main(["--out", str(tmp_path / "a")]).figures["zh"].read_bytes()
    second = main(["--out", str(tmp_path / "b")]).figures["zh"].read_bytes()
    assert first == second


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_gives_the_same_line() -> None:
    cpu, cuda = main(["--quick", "--device", "cpu"]), main(["--quick", "--device", "cuda"])
    assert (cuda.w, cuda.b) == pytest.approx((cpu.w, cpu.b), abs=1e-3)
