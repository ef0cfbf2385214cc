"""The training-recipe page: five library calls find the same line as the hand-written loop."""

from __future__ import annotations

import pytest

from examples.linear_regression import main as by_hand
from examples.recipe import main


def test_recipe_learns_the_line() -> None:
    recipe = main(["--device", "cpu"])
    assert recipe.last_loss < recipe.first_loss / 100
    hand = by_hand(["--quick"])
    assert recipe.model.weight.item() == pytest.approx(hand.w, abs=0.02)
    assert recipe.model.bias.item() == pytest.approx(hand.b, abs=0.02)


def test_mse_loss_is_twice_the_halved_loss() -> None:
    # The page says nn.MSELoss has no factor 1/2; its final value is twice the chapter's.
    recipe = main([])
    hand = by_hand(["--quick"])
    assert recipe.last_loss == pytest.approx(2 * hand.losses[-1], rel=0.01)


def test_quick_mode_runs_fewer_iterations(capsys) -> None:
    main(["--quick"])
    assert "after 200 iterations" in capsys.readouterr().out
