"""The pipeline chapter: the stand-in data, any folder of that layout, training, bad input."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from examples.banknote_data import generate
from examples.pipeline import FolderDataset, eval_transform, main


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("banknotes")
    counts = generate(root / "data", per_class=60, seed=0)
    return root / "data", counts


def test_generator_splits_80_10_10(small_data) -> None:
    root, counts = small_data
    assert counts == {
        "train/1": 48,
        "valid/1": 6,
        "test/1": 6,
        "train/100": 48,
        "valid/100": 6,
        "test/100": 6,
    }
    assert len(list((root / "test" / "100").glob("*.png"))) == 6


def test_quick_run_trains_saves_and_reloads(small_data, tmp_path) -> None:
    root, _ = small_data
    results = main(["--quick", "--data", str(root), "--out", str(tmp_path), "--device", "cpu"])
    history = results["history"]
    assert len(history.train_loss) == 2 * history.iterations_per_epoch  # one loss per iteration
    assert len(history.valid_loss) == 2  # mean validation loss, once per epoch
    assert results["weights"].is_file() and results["classes"] == ["1", "100"]
    assert [p.name for p in tmp_path.iterdir()] == ["lenet_banknotes.pt"]  # nothing half-written
    assert 0.0 <= results["test_accuracy"] <= 1.0


def test_dataset_reads_mixed_sizes_modes_and_formats(tmp_path) -> None:
    for label, (mode, size, suffix) in {
        "1": ("RGBA", (40, 25), ".png"),
        "100": ("L", (90, 60), ".jpg"),
    }.items():
        folder = tmp_path / label
        folder.mkdir()
        Image.new(mode, size).save(folder / f"a{suffix}")
        Image.new("P", (17, 33)).save(folder / "b.png")
    dataset = FolderDataset(tmp_path, eval_transform)
    assert len(dataset) == 4 and dataset.classes == ["1", "100"]
    for index in range(4):
        image, _ = dataset[index]
        assert image.shape == (3, 32, 32) and image.dtype == torch.float32


def test_missing_folder_says_how_to_make_one(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="python -m examples.banknote_data"):
        FolderDataset(tmp_path / "nowhere")


def test_empty_class_folder_is_named(tmp_path) -> None:
    (tmp_path / "1").mkdir()
    (tmp_path / "100").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "1" / "a.png")
    with pytest.raises(ValueError, match=r"class folder .*100 holds no images"):
        FolderDataset(tmp_path)


def test_unreadable_image_is_named(tmp_path) -> None:
    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "broken.png").write_bytes(b"not a png")
    dataset = FolderDataset(tmp_path)
    with pytest.raises(ValueError, match="broken.png"):
        dataset[0]
