"""Generate a stand-in for the 1-yuan / 100-yuan banknote photos: class folders on disk.

The layout is the one the pipeline reads, and the one a reader's own photos can use:

    <out>/train/1/*.png   <out>/train/100/*.png   (and valid/, test/ alike)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

# isort: split
# --8<-- [start:imports]
import colorsys
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# --8<-- [end:imports]
from examples.paths import PROJECT_ROOT

CLASSES = ("1", "100")
SPLITS = {"train": 0.8, "valid": 0.1, "test": 0.1}
DEFAULT_ROOT = PROJECT_ROOT / "data" / "banknotes"


# --8<-- [start:note]
def draw_note(label: str, rng: random.Random, size: int = 64) -> Image.Image:
    """One picture of a banknote: hue, rotation, scale, noise, clutter and occlusion all vary."""
    background = tuple(rng.randrange(60, 200) for _ in range(3))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(2, 6)):  # clutter behind the note
        x, y = rng.randrange(size), rng.randrange(size)
        r = rng.randrange(4, 16)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    # 1-yuan notes are mostly green, 100-yuan notes mostly red; one in four has any hue.
    hue = rng.uniform(0.18, 0.42) if label == "1" else rng.uniform(-0.08, 0.08) % 1.0
    if rng.random() < 0.25:
        hue = rng.random()
    rgb = tuple(
        int(255 * c)
        for c in colorsys.hsv_to_rgb(hue, rng.uniform(0.4, 0.9), rng.uniform(0.5, 0.95))
    )
    note = Image.new("RGBA", (56, 30), rgb + (255,))
    note_draw = ImageDraw.Draw(note)
    note_draw.rectangle((1, 1, 54, 28), outline=(255, 255, 255, 255))
    font = ImageFont.load_default(size=22)
    text_width = note_draw.textlength(label, font=font)
    note_draw.text(((56 - text_width) / 2, 2), label, font=font, fill=(255, 255, 255, 255))
    scale = rng.uniform(0.75, 1.1)
    note = note.resize((int(56 * scale), int(30 * scale))).rotate(rng.uniform(-30, 30), expand=True)
    image.paste(
        note,
        (rng.randrange(0, max(1, size - note.width)), rng.randrange(0, max(1, size - note.height))),
        note,
    )
    if rng.random() < 0.5:  # something in front of the note
        x, y = rng.randrange(size), rng.randrange(size)
        draw.rectangle((x, y, x + rng.randrange(6, 16), y + rng.randrange(6, 16)), fill=background)
    noisy = image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 0.8)))
    pixels = noisy.load()
    for _ in range(size * size // 8):  # speckle noise
        px, py = rng.randrange(size), rng.randrange(size)
        pixels[px, py] = tuple(min(255, max(0, v + rng.randrange(-60, 61))) for v in pixels[px, py])
    return noisy


# --8<-- [end:note]


def generate(out: Path, per_class: int = 500, seed: int = 0) -> dict[str, int]:
    """Write ``per_class`` images of each class, split 80/10/10, into ``out`` (replaced whole)."""
    rng = random.Random(seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts = {}
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as scratch:
        for label in CLASSES:
            order = list(range(per_class))
            rng.shuffle(order)
            start = 0
            for split, share in SPLITS.items():
                count = round(per_class * share) if split != "test" else per_class - start
                folder = Path(scratch) / split / label
                folder.mkdir(parents=True)
                for index in order[start : start + count]:
                    draw_note(label, rng).save(folder / f"{label}_{index:04}.png")
                counts[f"{split}/{label}"] = count
                start += count
        if out.exists():
            shutil.rmtree(out)
        Path(scratch).rename(out)  # all or nothing: a half-written data set never appears
        Path(scratch).mkdir()  # for TemporaryDirectory's own clean-up
    return counts


def main(argv: Sequence[str] | None = None) -> dict[str, int]:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m examples.banknote_data", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_ROOT, help="data folder (default: data/banknotes)"
    )
    parser.add_argument(
        "--per-class", type=int, default=500, help="images per class (default: 500)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.per_class, args.seed)
    print(f"wrote {sum(counts.values())} images to {args.out}: {counts}")
    return counts


if __name__ == "__main__":
    main()
