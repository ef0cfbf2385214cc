"""A real photo that ships with matplotlib (Grace Hopper), as a tensor: no download needed."""

from __future__ import annotations

from pathlib import Path

# --8<-- [start:load]
import matplotlib
import torch
import torch.nn.functional as F
from PIL import Image

PHOTO = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


def load_photo(size: int = 128, grey: bool = False) -> torch.Tensor:
    """The photo as a (1, C, size, size) float tensor in [0, 1]; C is 1 if grey, else 3."""
    image = Image.open(PHOTO).convert("L" if grey else "RGB")
    pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    tensor = pixels.reshape(image.height, image.width, -1).permute(2, 0, 1).float() / 255
    return F.interpolate(tensor[None], size=(size, size), mode="area")


# --8<-- [end:load]
