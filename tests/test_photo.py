"""The photo helper every image chapter uses (examples/photo.py)."""

from __future__ import annotations

from examples.photo import PHOTO, load_photo


def test_photo_ships_with_matplotlib() -> None:
    assert PHOTO.is_file() and PHOTO.name == "grace_hopper.jpg"
    assert load_photo(size=32).shape == (1, 3, 32, 32)
    assert 0 <= load_photo(size=32).min() and load_photo(size=32).max() <= 1
