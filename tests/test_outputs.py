"""Exact and measured outputs (site_tools/outputs.py): what passes, what fails, and why."""

from __future__ import annotations

import pytest

from site_tools.outputs import Tolerance, ToleranceError, compare, exact_numbers

LOG = "epoch 1/12 loss 0.4938 accuracy 75.50%\nepoch 5/12 loss 0.1607 accuracy 94.25%"
TOLERANCE = Tolerance.from_mark(
    {"rel": 0.05, "abs": 0.08, "lines": {"epoch 1/": {"rel": 0.01}, "^test": {"ge": 90}}}
)


def test_an_exact_output_must_be_equal_and_names_the_line() -> None:
    assert compare("a 1\nb 2\n", "a 1  \nb 2").ok  # trailing spaces do not count
    result = compare("a 1\nb 2", "a 1\nb 3")
    assert not result.ok and "line 2 of the output differs" in result.problem


def test_a_measured_output_may_move_within_its_tolerance() -> None:
    moved = LOG.replace("0.1607", "0.2163").replace("94.25", "92.12")
    result = compare(LOG, moved, TOLERANCE)
    assert result.ok and 0.5 < result.worst < 1, result


def test_each_line_takes_its_own_rule() -> None:
    result = compare(LOG, LOG.replace("0.4938", "0.5031"), TOLERANCE)  # 2 % on epoch 1
    assert not result.ok and "line 1: 0.5031" in result.problem and "rel=0.01" in result.problem


def test_counts_stay_exact_and_the_words_too() -> None:
    assert not compare(LOG, LOG.replace("5/12", "6/12"), TOLERANCE).ok
    assert not compare(LOG, LOG.replace("accuracy", "acc"), TOLERANCE).ok


def test_a_bound_replaces_nearness() -> None:
    assert compare("test 100.00% on 100", "test 96.00% on 100", TOLERANCE).ok
    assert not compare("test 100.00% on 100", "test 89.00% on 100", TOLERANCE).ok


def test_aligned_columns_may_shift_by_a_digit() -> None:
    rule = Tolerance.from_mark({"rel": 0.02})
    assert compare("tanh   9.7e+03\nrelu     3.33", "tanh  9.68e+03\nrelu     3.33", rule).ok


def test_only_exact_numbers_may_be_quoted() -> None:
    assert exact_numbers(LOG, TOLERANCE) == ["1", "12", "5", "12"]
    assert exact_numbers("shape (16, 3)", None) == ["16", "3"]


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ({"rel": 0}, "allows no difference"),
        ({"rel": 0.1, "tol": 1}, "unknown"),
        ({"lines": {"(": {"rel": 0.1}}}, "lines"),
    ],
)
def test_a_bad_tolerance_is_named(mark, message) -> None:
    with pytest.raises(ToleranceError, match=message):
        Tolerance.from_mark(mark)
