"""15-Scene: the real folder when present, else an offline stand-in that is seeded and learnable.

Two datasets (``grader list --datasets``):

- ``15scene``: ``<data root>/15SceneData/{train,test}/<class>/*.jpg`` when that
  folder exists (its ``test`` split is the held-out one; 15 class folders), else the
  stand-in; ``source`` says which was found, and thresholds are those of that data.
  ``[training] dataset = "15scene"`` grades on it, with AlexNet's ImageNet weights.
- ``15scene-synthetic``: always the stand-in, so that grading, and the
  thresholds calibrated on it, never depend on what a machine has (the default).

Images are read like a student's ImageLoader reads them (PIL, converted to
grayscale "L") and resized to 64 x 64 the way ``transforms.Resize`` resizes a
PIL image, then kept as uint8 tensors (N x 1 x 64 x 64) for the training harness.

The stand-in is real image files, the same ones ``write_scene_folder`` writes
in the 15-Scene layout: grayscale JPEGs, every tenth image a PNG and every
tenth a tinted colour JPEG (which a loader must convert to grayscale), of
heights and widths from 64 to 80 pixels (which the transforms must resize).
Every image has three horizontal bands: a "sky" band on top and a "ground"
band right under it, each filled with a striped texture whose orientation is
horizontal, vertical or diagonal, and a "foreground" band at the bottom of
one of five kinds (three striped ones, building blocks, foliage). The class
is the pair (foreground kind, relation), relation = (ground orientation - sky
orientation) mod 3; the class names are the 15-Scene ones, used as labels only.

Why it tells models apart:

- Phase, position, contrast and brightness are random, so the mean image of
  every class is flat: a linear model on pixels, or a net whose layers are
  all linear (convolutions, average pooling, linear layers), stays near
  chance (~0.1).
- Given its class, each striped band's orientation is uniform: only the
  relation between the sky and the ground tells the 3 relations apart. The
  two bands meet, so the relation is visible within one 19-pixel field of
  view of SimpleNet's second convolution: a net whose only nonlinearities
  follow its convolutions (its linear layers one after the other, as the
  course's rules allow) learns it there, as does one with a nonlinearity
  between its linear layers.
- Max pooling is a nonlinearity too: SimpleNet without its ReLUs still
  learns much of the relation (the layer rules, not the accuracy threshold,
  catch a net without ReLUs).
- The striped kinds teach the conv layers orientation detectors early, so
  SimpleNet learns the relation within a small CPU budget.

``source_labels`` gives the finer labels of a source task (sky orientation,
foreground kind, ground orientation: 45 classes) that the fine-tuning part's
backbone was pretrained on; the 15 scene classes are unions of them.

The same arguments give the same pixels on every machine (numpy's PCG64 seeded
per image); JPEG bytes may differ between libjpeg versions.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from grader.toolkit.datasets import ImageDataset, folders

CLASS_NAMES = ("bedroom", "coast", "forest", "highway", "industrial", "insidecity", "kitchen",
               "livingroom", "mountain", "office", "opencountry", "store", "street", "suburb",
               "tallbuilding")
NUM_RELATIONS = 3                       # orientations: horizontal, vertical, diagonal
NUM_SOURCE_CLASSES = 45                 # (sky orientation, foreground kind, ground orientation)
SPLITS = ("train", "test")              # folder names; the judge's "heldout" is "test"
SIZE = 64                               # images are resized to SIZE x SIZE for training
SEED = 6476                             # the stand-in's seed: part of the grading contract
PER_CLASS = {"train": 100, "test": 50}  # the stand-in's images per class and split
REAL_FOLDER = "15SceneData"             # under the data root, where `grader prepare` unpacks it
REAL_SOURCE = "15scene"                 # its pinned source's name: thresholds of its own

PERIOD = (4.0, 9.0)                     # stripe period in pixels
TILT_DEG = 6                            # jitter of the stripes' orientation
CONTRAST = (0.4, 0.7)                   # stripe amplitude, per band
BRIGHTNESS = 0.5                        # band offset drawn from [-0.5, 0.5]
NOISE = 0.08                            # per-pixel Gaussian noise
SKY_END = (0.30, 0.36)                  # band boundaries, as fractions of the height
GROUND_END = (0.60, 0.66)
HORIZON_TILT_DEG = 3
GRAY_SCALE = 90                         # pixel = 128 + 90 * value, clipped to [0, 255]
TINT = (1.0, 0.96, 0.88)                # colour of the RGB files


# ---- drawing one scene -------------------------------------------------------------------

def stripes(yy: np.ndarray, xx: np.ndarray, orientation: int,
            rng: np.random.Generator) -> np.ndarray:
    """A sinusoidal grating in [-1, 1]: orientation 0 horizontal, 1 vertical, 2 diagonal.

    A diagonal grating leans either way at random, so that a mirrored image
    keeps its class.
    """
    angle = (90, 0, rng.choice((45, 135)))[orientation] + rng.uniform(-TILT_DEG, TILT_DEG)
    a = np.deg2rad(angle)
    period = rng.uniform(*PERIOD)
    return np.sin(2 * np.pi / period * (xx * np.cos(a) + yy * np.sin(a))
                  + rng.uniform(0, 2 * np.pi))


def foreground_band(kind: int, yy: np.ndarray, xx: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Kinds 0-2: stripes of that orientation; 3: building blocks; 4: foliage. Values in [-1, 1]."""
    if kind < NUM_RELATIONS:
        return stripes(yy, xx, kind, rng)
    height, width = yy.shape
    if kind == 3:  # columns 4 to 12 pixels wide, each of its own gray
        edges = np.cumsum(rng.uniform(4, 12, width // 4 + 1))
        levels = rng.uniform(-1, 1, len(edges) + 1)
        return np.broadcast_to(levels[np.searchsorted(edges, xx[0])], (height, width))
    noise = rng.normal(0, 1, (height + 1, width + 1))
    blurred = (noise[:-1, :-1] + noise[1:, :-1] + noise[:-1, 1:] + noise[1:, 1:]) / 2
    return np.clip(blurred, -1.5, 1.5) / 1.5


def scene_parts(label: int, rng: np.random.Generator) -> tuple[int, int, int]:
    """(foreground kind, sky orientation, ground orientation) of an image of class ``label``."""
    kind, relation = divmod(label, NUM_RELATIONS)
    sky = int(rng.integers(NUM_RELATIONS))
    return kind, sky, (sky + relation) % NUM_RELATIONS


def render_scene(parts: tuple[int, int, int], rng: np.random.Generator,
                 size: int = SIZE) -> np.ndarray:
    """One uint8 grayscale image of height and width in [size, 1.25 * size]."""
    kind, sky, ground = parts
    height, width = rng.integers(size, size + size // 4 + 1, size=2)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    horizon = np.tan(np.deg2rad(rng.uniform(-HORIZON_TILT_DEG, HORIZON_TILT_DEG))) * (xx - width / 2)
    sky_end = rng.uniform(*SKY_END) * height + horizon
    ground_end = rng.uniform(*GROUND_END) * height + horizon
    bands = ((yy < sky_end, stripes(yy, xx, sky, rng)),
             ((yy >= sky_end) & (yy < ground_end), stripes(yy, xx, ground, rng)),
             (yy >= ground_end, foreground_band(kind, yy, xx, rng)))
    image = np.empty((height, width))
    for mask, pattern in bands:
        offset = rng.uniform(-BRIGHTNESS, BRIGHTNESS)
        image[mask] = rng.uniform(*CONTRAST) * pattern[mask] + offset
    image += rng.normal(0, NOISE, image.shape)
    return np.clip(128 + GRAY_SCALE * image, 0, 255).round().astype(np.uint8)


def encode(pixels: np.ndarray, index: int, rng: np.random.Generator) -> tuple[str, bytes]:
    """(suffix, file bytes): mostly grayscale JPEG; every tenth PNG, every tenth tinted RGB JPEG."""
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    if index % 10 == 9:
        image.save(buffer, format="PNG")
        return ".png", buffer.getvalue()
    if index % 10 == 4:
        gray = pixels.astype(np.float64)[..., None]
        image = Image.fromarray((gray * np.array(TINT)).round().astype(np.uint8))
    image.save(buffer, format="JPEG", quality=int(rng.integers(70, 96)))
    return ".jpg", buffer.getvalue()


def scene_file(seed: int, split: str, label: int, index: int) -> tuple[str, bytes, int]:
    """Image ``index`` of class ``label`` in ``split``: (suffix, file bytes, source label).

    It depends only on these arguments, so a larger count adds images without
    changing the others.
    """
    rng = np.random.default_rng([seed, SPLITS.index(split), label, index])
    parts = scene_parts(label, rng)
    suffix, data = encode(render_scene(parts, rng), index, rng)
    kind, sky, ground = parts
    return suffix, data, (sky * 5 + kind) * NUM_RELATIONS + ground


def write_scene_folder(root, *, seed: int = SEED, train_per_class: int = PER_CLASS["train"],
                       test_per_class: int = PER_CLASS["test"]) -> None:
    """Write the stand-in as ``root/train/<class>/0000.jpg`` ... and ``root/test/<class>/...``."""
    counts = {"train": train_per_class, "test": test_per_class}
    for split in SPLITS:
        for label, name in enumerate(CLASS_NAMES):
            folder = Path(root) / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(counts[split]):
                suffix, data, _ = scene_file(seed, split, label, i)
                (folder / f"{i:04d}").with_suffix(suffix).write_bytes(data)


# ---- as tensors --------------------------------------------------------------------------

def to_pixels(data: bytes | Path) -> np.ndarray:
    """A file (bytes or path) as grayscale, resized to SIZE x SIZE like transforms.Resize."""
    return folders.read_image(data, SIZE, "L")


def _dataset(pixels: list[np.ndarray], labels: list[int], source: str,
             classes: tuple[str, ...]) -> ImageDataset:
    images = torch.from_numpy(np.stack(pixels)).unsqueeze(1)
    return ImageDataset(images, torch.tensor(labels, dtype=torch.int64), mean=(0.0,), std=(1.0,),
                        source=source, classes=classes)


def with_statistics(dataset: ImageDataset, train: ImageDataset) -> ImageDataset:
    """``dataset`` normalized with the mean and (population) std of the train split's pixels."""
    pixels = train.images.double() / 255
    return ImageDataset(dataset.images, dataset.labels, mean=(pixels.mean().item(),),
                        std=(pixels.std(correction=0).item(),), source=dataset.source,
                        classes=dataset.classes)


@functools.cache
def synthetic_split(split: str) -> tuple[ImageDataset, torch.Tensor]:
    """The stand-in's ``split`` ("train" or "test") and its source-task labels, decoded once."""
    pixels, labels, source_labels = [], [], []
    for label in range(len(CLASS_NAMES)):
        for i in range(PER_CLASS[split]):
            _, data, source_label = scene_file(SEED, split, label, i)
            pixels.append(to_pixels(data))
            labels.append(label)
            source_labels.append(source_label)
    return (_dataset(pixels, labels, "15scene-synthetic", CLASS_NAMES),
            torch.tensor(source_labels, dtype=torch.int64))


def source_labels(split: str) -> torch.Tensor:
    """Labels of the pretraining source task for the stand-in's ``split`` ("train" or "heldout")."""
    return synthetic_split(_folder(split))[1]


def _folder(split: str) -> str:
    return "train" if split == "train" else "test"


def load_synthetic(split: str, data_root: Path | None = None,
                   download: bool = False) -> ImageDataset:
    """15-Scene stand-in: 15 classes of 1 x 64 x 64 grayscale scenes, 1,500 train / 750 held-out."""
    return with_statistics(synthetic_split(_folder(split))[0], synthetic_split("train")[0])


@functools.cache
def _real_split(root: Path, split: str) -> ImageDataset:
    """One split of the real folder, numbered by the train split's 15 class folders."""
    classes = folders.class_folders(root / "train")
    if len(classes) != len(CLASS_NAMES):
        raise ValueError(f"{root / 'train'}: {len(classes)} class folders, 15-Scene has "
                         f"{len(CLASS_NAMES)} (one per scene class, each holding its images)")
    images, labels, _ = folders.read_tree(root / split, SIZE, "L", classes)
    return ImageDataset(images, labels, mean=(0.0,), std=(1.0,), source=REAL_SOURCE,
                        classes=classes)


def load_15scene(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """15-Scene from <data root>/15SceneData/{train,test}/<class>/, else the offline stand-in."""
    root = data_root / REAL_FOLDER if data_root is not None else None
    if root is None or not (root / "train").is_dir():
        return load_synthetic(split)
    return with_statistics(_real_split(root, _folder(split)), _real_split(root, "train"))


DATASETS = {"15scene": load_15scene, "15scene-synthetic": load_synthetic}
# On real 15-Scene, MyAlexNet is fine-tuned from torchvision's AlexNet with its ImageNet
# weights (conftest.py's pretrained_backbone): `grader prepare` fetches them with the data.
WEIGHTS = {"15scene": ["alexnet"]}
