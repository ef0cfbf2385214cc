"""A complete image-classification pipeline: LeNet tells 1-yuan from 100-yuan notes.

Data from class folders, transforms, DataLoader, CrossEntropyLoss, SGD with StepLR, a training
loop that validates every epoch, loss curves, a saved and reloaded state_dict, and predictions on
the test split. Point --data at any folder with the same layout to use real photos.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image, UnidentifiedImageError
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

# --8<-- [end:imports]
from examples.banknote_data import DEFAULT_ROOT, generate
from examples.common import (
    FIGURE_WIDTH,
    build_parser,
    draw_in_languages,
    parse_args,
    replaced_atomically,
    save_figure,
    scheme_color,
    seed_everything,
)
from examples.lenet import LeNet, initialize_weights

FIGURES = (
    "curves.en.svg",
    "curves.zh.svg",
    "predictions.en.png",
    "predictions.zh.png",
    "predictions.en.dark.png",
    "predictions.zh.dark.png",
)
WORDS = {
    "en": {"train": "train (per iteration)", "valid": "valid (mean, per epoch)",
           "iteration": "iteration", "loss": "cross-entropy loss",
           "title": "training and validation loss", "predicted": "predicted {} ({})",
           "correct": "correct", "wrong": "WRONG"},
    "zh": {"train": "训练（每次迭代）", "valid": "验证（每轮平均）", "iteration": "迭代",
           "loss": "交叉熵损失", "title": "训练损失与验证损失", "predicted": "预测 {}（{}）",
           "correct": "正确", "wrong": "错误"},
}  # fmt: skip
FIGURE_ARGS = ("--make-data",)  # what `nox -s figures` adds: the stand-in data, made once


# --8<-- [start:dataset]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


class FolderDataset(Dataset):
    """Images in one sub-folder per class, e.g. train/1/*.png and train/100/*.jpg.

    Any size and mode (RGBA, greyscale, palette) is converted to RGB when read.
    """

    def __init__(self, root: Path, transform=None) -> None:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(
                f"data folder {root} does not exist; make a stand-in data set with "
                f"'python -m examples.banknote_data --out {root.parent}' or point --data at your photos"
            )
        self.classes = sorted((p.name for p in root.iterdir() if p.is_dir()), key=_class_order)
        if not self.classes:
            raise ValueError(f"{root} has no class folders (expected e.g. {root}/1 and {root}/100)")
        self.samples = []
        for label, name in enumerate(self.classes):
            files = sorted(p for p in (root / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise ValueError(f"class folder {root / name} holds no images")
            self.samples += [(path, label) for path in files]
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, label = self.samples[index]
        try:
            with Image.open(path) as image:
                image = image.convert("RGB")
        except (UnidentifiedImageError, OSError) as error:
            raise ValueError(f"cannot read image {path}: {error}") from error
        return (self.transform(image) if self.transform else image), label


def _class_order(name: str):
    return (0, int(name)) if name.isdigit() else (1, name)  # "1" before "100", then by name


# --8<-- [end:dataset]


# --8<-- [start:transforms]
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
train_transform = transforms.Compose([
    transforms.Resize((32, 32)),
    transforms.RandomCrop(32, padding=4),
    transforms.ToTensor(),
    transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
])
eval_transform = transforms.Compose([
    transforms.Resize((32, 32)),
    transforms.ToTensor(),
    transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
])
# --8<-- [end:transforms]


# --8<-- [start:evaluate]
def evaluate(model, loader, loss_fn, device) -> tuple[float, float]:
    """Mean loss per image and accuracy of ``model`` on ``loader``."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images = images.to(device, non_blocking=True)
            labels = labels.to(device, non_blocking=True)
            outputs = model(images)
            total_loss += loss_fn(outputs, labels).item() * len(labels)
            correct += (outputs.argmax(1) == labels).sum().item()
            seen += len(labels)
    return total_loss / seen, correct / seen


# --8<-- [end:evaluate]


# --8<-- [start:train]
def progress(epoch: int, epochs: int, step: int, steps: int) -> None:
    """A one-line progress bar, redrawn in place, only on an interactive terminal."""
    if not sys.stdout.isatty():
        return
    filled = int(30 * step / steps)
    end = "\n" if step == steps else ""
    print(
        f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (30 - filled)}] {step}/{steps}",
        end=end,
        flush=True,
    )


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)  # one per iteration
    valid_loss: list[float] = field(default_factory=list)  # mean over the validation set, per epoch
    valid_accuracy: list[float] = field(default_factory=list)
    iterations_per_epoch: int = 0


def train(model, train_loader, valid_loader, epochs: int, device, log_every: int = 20) -> History:
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 2), gamma=0.1)
    history = History(iterations_per_epoch=len(train_loader))
    for epoch in range(1, epochs + 1):
        model.train()
        correct = seen = 0
        for step, (images, labels) in enumerate(train_loader, 1):
            images = images.to(device, non_blocking=True)
            labels = labels.to(device, non_blocking=True)
            outputs = model(images)
            loss = loss_fn(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.train_loss.append(loss.item())
            correct += (outputs.argmax(1) == labels).sum().item()
            seen += len(labels)
            progress(epoch, epochs, step, len(train_loader))
            if step % log_every == 0 or step == len(train_loader):
                recent = history.train_loss[-log_every:]
                print(f"train epoch {epoch}/{epochs} iteration {step}/{len(train_loader)} "
                      f"loss {sum(recent) / len(recent):.4f} accuracy {correct / seen:.2%}")
        scheduler.step()
        valid_loss, valid_accuracy = evaluate(model, valid_loader, loss_fn, device)
        history.valid_loss.append(valid_loss)
        history.valid_accuracy.append(valid_accuracy)
        print(
            f"valid epoch {epoch}/{epochs} mean loss {valid_loss:.4f} accuracy {valid_accuracy:.2%}"
        )
    return history


# --8<-- [end:train]


def save_state(model: nn.Module, path: Path) -> Path:
    """Save the state_dict atomically: a crash leaves the old file, never half of a new one."""
    with replaced_atomically(path, suffix=".pt") as temporary:
        torch.save(model.state_dict(), temporary)
    return path


def draw_curves(history: History, *, language: str, path: Path) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, axis = plt.subplots(figsize=(FIGURE_WIDTH, 3.2), layout="constrained")
    axis.plot(
        range(1, len(history.train_loss) + 1),
        history.train_loss,
        lw=0.8,
        label=words["train"],
    )
    epochs_at = [history.iterations_per_epoch * (e + 1) for e in range(len(history.valid_loss))]
    axis.plot(epochs_at, history.valid_loss, "o-", lw=2, label=words["valid"])
    axis.set(xlabel=words["iteration"], ylabel=words["loss"], title=words["title"])
    axis.legend()
    return save_figure(figure, path)


def draw_predictions(
    dataset: FolderDataset, predicted: list[int], count: int = 12, *, language: str, path: Path
) -> Path:
    import matplotlib.pyplot as plt

    words = WORDS[language]
    figure, axes = plt.subplots(3, count // 3, figsize=(FIGURE_WIDTH, 5.6), layout="constrained")
    step = max(1, len(dataset) // count)
    for axis, index in zip(axes.flat, range(0, step * count, step), strict=True):
        path_, label = dataset.samples[index]
        with Image.open(path_) as image:
            axis.imshow(image.convert("RGB"))
        guess = dataset.classes[predicted[index]]
        right = predicted[index] == label
        ok = words["correct"] if right else words["wrong"]
        wrong = {} if right else {"color": scheme_color(light="#c62828", dark="#ff8a80")}
        axis.set_title(words["predicted"].format(guess, ok), fontsize=9, **wrong)
        axis.axis("off")
    return save_figure(figure, path)


def main(argv: Sequence[str] | None = None) -> dict:
    summary = __doc__.splitlines()[0]
    parser = build_parser("pipeline", summary)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_ROOT, help="folder with train/, valid/, test/"
    )
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: 12; quick: 2)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--log-every", type=int, default=20, help="iterations between log lines (default: 20)"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="DataLoader worker processes (default: 0)"
    )
    parser.add_argument(
        "--make-data",
        action="store_true",
        help="generate the stand-in data set into --data if it is missing",
    )
    parser.description = f"{summary} --quick trains 2 epochs and draws no figure."
    args = parse_args(parser, argv)
    epochs = args.epochs or (2 if args.quick else 12)
    seed_everything(args.seed)
    started = time.perf_counter()
    if args.make_data and not args.data.exists():
        generate(args.data, per_class=100 if args.quick else 500, seed=args.seed)
    pin = args.device.type == "cuda"  # page-locked memory makes host-to-GPU copies asynchronous
    # --8<-- [start:loaders]
    train_set = FolderDataset(args.data / "train", train_transform)
    valid_set = FolderDataset(args.data / "valid", eval_transform)
    test_set = FolderDataset(args.data / "test", eval_transform)
    loader_options = {"batch_size": args.batch_size, "num_workers": args.workers, "pin_memory": pin}
    train_loader = DataLoader(train_set, shuffle=True, **loader_options)
    valid_loader = DataLoader(valid_set, **loader_options)
    test_loader = DataLoader(test_set, **loader_options)
    # --8<-- [end:loaders]
    model = LeNet(classes=len(train_set.classes)).to(args.device)
    initialize_weights(model)
    history = train(
        model, train_loader, valid_loader, epochs, args.device, log_every=args.log_every
    )
    # --8<-- [start:reload]
    weights = save_state(model, args.out / "lenet_banknotes.pt")
    reloaded = LeNet(classes=len(train_set.classes)).to(args.device)
    reloaded.load_state_dict(torch.load(weights, map_location=args.device, weights_only=True))
    reloaded.eval()
    with torch.no_grad():
        predicted = [
            p
            for images, _ in test_loader
            for p in reloaded(images.to(args.device)).argmax(1).tolist()
        ]
    test_accuracy = sum(
        p == label for p, (_, label) in zip(predicted, test_set.samples, strict=True)
    ) / len(test_set)
    # --8<-- [end:reload]
    results = {"history": history, "test_accuracy": test_accuracy, "weights": weights,
               "classes": train_set.classes, "seconds": time.perf_counter() - started}
    if not args.quick:
        results["curves"] = draw_in_languages(draw_curves, args.out / "curves.svg", history)
        results["predictions"] = draw_in_languages(
            draw_predictions, args.out / "predictions.png", test_set, predicted
        )
    print(f"test accuracy {test_accuracy:.2%} on {len(test_set)} images after {epochs} epochs")
    return results


if __name__ == "__main__":
    main()
