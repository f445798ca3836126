"""Small samples of the real datasets, written in their real on-disk formats under a data root.

- CIFAR-10: ``cifar-10-batches-py/`` with ``data_batch_1`` ... ``data_batch_5``,
  ``test_batch`` and ``batches.meta``, each a dict pickled with protocol 2 as the published
  files are (``data``: uint8 N x 3072, planes red, green, blue; ``labels``; ``filenames``).
- 15-Scene: ``15SceneData/{train,test}/<Class>/`` of grayscale JPEGs, with a PNG and a colour
  JPEG here and there, of sizes that are not the loader's.

Their images are learnable by a tiny model: class c is a bright block in cell c of a 4 x 4
grid, on noise, so that calibrating on them is quick and a reference reaches its threshold.
"""

import io
import pickle
from pathlib import Path

import numpy as np
from PIL import Image

CIFAR_PER_BATCH = 40                      # 5 train batches: 200 images; test: 100
CIFAR_TEST = 100
SCENE_CLASSES = ("Bedroom", "Coast", "Forest", "Highway", "Industrial", "InsideCity", "Kitchen",
                 "LivingRoom", "Mountain", "Office", "OpenCountry", "Store", "Street", "Suburb",
                 "TallBuilding")  # the course's folder names
SCENE_PER_CLASS = {"train": 8, "test": 4}  # 120 + 60 images


def block_image(label: int, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 H x W: noise, with cell ``label`` of a 4 x 4 grid bright."""
    pixels = rng.integers(0, 90, (height, width)).astype(np.uint8)
    row, col = divmod(label, 4)
    h, w = height // 4, width // 4
    pixels[row * h:(row + 1) * h, col * w:(col + 1) * w] += 150
    return pixels


def cifar_batch(n: int, rng: np.random.Generator, label: str) -> dict:
    labels = [int(c) for c in rng.integers(0, 10, n)]
    planes = [np.stack([block_image(c, 32, 32, rng)] * 3) for c in labels]  # 3 x 32 x 32
    return {"batch_label": label, "labels": labels,
            "data": np.stack([p.reshape(-1) for p in planes]).astype(np.uint8),
            "filenames": [f"sample_{i:05d}.png" for i in range(n)]}


def write_cifar10(root: Path, seed: int = 0) -> Path:
    """The CIFAR-10 sample under ``root``; returns its folder."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    batches = {f"data_batch_{i}": cifar_batch(CIFAR_PER_BATCH, rng, f"training batch {i} of 5")
               for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(CIFAR_TEST, rng, "testing batch 1 of 1")
    batches["batches.meta"] = {"label_names": ["airplane", "automobile", "bird", "cat", "deer",
                                               "dog", "frog", "horse", "ship", "truck"],
                               "num_cases_per_batch": CIFAR_PER_BATCH, "num_vis": 3072}
    for name, entry in batches.items():
        (folder / name).write_bytes(pickle.dumps(entry, protocol=2))
    return folder


def scene_file(label: int, index: int, rng: np.random.Generator) -> tuple[str, bytes]:
    """(suffix, bytes) of one scene: grayscale JPEG; every 5th a PNG, every 7th a colour JPEG."""
    height, width = (int(s) for s in rng.integers(48, 96, 2))
    pixels = block_image(label, height, width, rng)
    buffer = io.BytesIO()
    if index % 5 == 4:
        Image.fromarray(pixels).save(buffer, format="PNG")
        return ".png", buffer.getvalue()
    image = Image.fromarray(np.stack([pixels] * 3, axis=-1)) if index % 7 == 6 else (
        Image.fromarray(pixels))
    image.save(buffer, format="JPEG", quality=90)
    return ".jpg", buffer.getvalue()


def write_15scene(root: Path, seed: int = 0) -> Path:
    """The 15-Scene sample under ``root``; returns its folder."""
    rng = np.random.default_rng(seed)
    folder = root / "15SceneData"
    for split, count in SCENE_PER_CLASS.items():
        for label, name in enumerate(SCENE_CLASSES):
            (folder / split / name).mkdir(parents=True, exist_ok=True)
            for i in range(count):
                suffix, data = scene_file(label, i, rng)
                (folder / split / name / f"image_{i:04d}{suffix}").write_bytes(data)
    return folder
