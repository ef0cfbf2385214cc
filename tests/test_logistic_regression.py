"""The logistic-regression chapter: a linear boundary, accuracy > 0.99, momentum measured."""

from __future__ import annotations

import pytest
import torch

from examples.logistic_regression import LogisticRegression, main, make_data, train


def test_stops_as_soon_as_accuracy_passes_099(tmp_path) -> None:
    results = main(["--out", str(tmp_path)])
    log = results["log"]
    assert log.accuracies[-1] > 0.99
    assert all(accuracy <= 0.99 for accuracy in log.accuracies[:-1])  # checked every iteration
    assert results["iterations"] == {0.9: 213, 0.0: 874}
    assert sorted(results["figures"]) == ["en", "zh"]
    assert all(path.is_file() for path in results["figures"].values())


@pytest.mark.parametrize("seed", range(8))
def test_momentum_reaches_the_target_sooner(seed: int) -> None:
    counts = {}
    for momentum in (0.9, 0.0):
        x, y = make_data(generator=torch.Generator().manual_seed(seed))
        torch.manual_seed(seed)
        counts[momentum] = train(x, y, momentum=momentum)[1].iterations
    assert counts[0.9] < counts[0.0]


def test_boundary_is_where_the_log_odds_are_zero() -> None:
    torch.manual_seed(0)
    model = LogisticRegression()
    x = torch.randn(500, 2)
    p = model(x)
    log_odds = torch.log(p / (1 - p))
    assert torch.allclose(log_odds, model.linear(x).squeeze(1), atol=1e-4)
    assert torch.equal(p >= 0.5, model.linear(x).squeeze(1) >= 0)  # a linear classifier
