"""An offline stand-in for the 15-Scene data: seeded, learnable, and not linearly separable.

``write_scene_folder`` writes real image files in the 15-Scene layout,
``root/{train,test}/<class name>/<image>``: grayscale JPEGs, some PNGs and some
colour JPEGs (which a loader must convert to grayscale), of slightly varying
sizes (which the transforms must resize). Only numpy and PIL are needed.

Every image has three horizontal bands: a "sky" band on top, a "ground" band
at the bottom, each filled with a striped texture whose orientation is
horizontal, vertical or diagonal, and a middle band of one of five kinds
(three striped ones, building blocks, foliage). The class is the pair
(middle kind, relation), relation = (ground orientation - sky orientation)
mod 3; the class names are the 15-Scene ones, used as labels only.

Why it discriminates between models:

- Phase, position, contrast and brightness are random, so the mean image of
  every class is flat: a linear model on pixels stays near chance (~0.1).
- Given its class, each outer band's orientation is uniform: only the
  relation between the two bands tells the 3 relations apart. The middle
  band (>= 24 of 64 rows) keeps the two bands out of any single 25-pixel
  field of view of SimpleNet's conv layers, so the relation must be computed
  by the fully connected layers. Without ReLUs they are linear and cannot:
  such a model reads the middle kind only and stays near 1/3.
- The striped middle kinds teach the conv layers orientation detectors early,
  so SimpleNet learns the relation within a small CPU budget.

Measured with 100 train and 50 test images per class (2,250 files, 5.4 MB,
about 2 s to write), seeds 1-3, Adam lr 1e-3, batch 64, 20 epochs on CPU:
held-out accuracy 0.99-1.00 for SimpleNet and SimpleNetDropout, 0.34-0.37
for SimpleNet without its ReLUs, 0.10-0.12 for a linear model on pixels.

The same arguments give the same pixels on every machine (numpy's PCG64 seeded
per image); JPEG bytes may differ between libjpeg versions.
"""

from pathlib import Path

import numpy as np
from PIL import Image

CLASS_NAMES = ("bedroom", "coast", "forest", "highway", "industrial", "insidecity", "kitchen",
               "livingroom", "mountain", "office", "opencountry", "store", "street", "suburb",
               "tallbuilding")
NUM_RELATIONS = 3                       # orientations: horizontal, vertical, diagonal
SPLITS = ("train", "test")

PERIOD = (4.0, 9.0)                     # stripe period in pixels
TILT_DEG = 6                            # jitter of the stripes' orientation
CONTRAST = (0.4, 0.7)                   # stripe amplitude, per band
BRIGHTNESS = 0.5                        # band offset drawn from [-0.5, 0.5]
NOISE = 0.08                            # per-pixel Gaussian noise
SKY_END = (0.27, 0.31)                  # band boundaries, as fractions of the height
GROUND_START = (0.69, 0.73)
HORIZON_TILT_DEG = 3
GRAY_SCALE = 90                         # pixel = 128 + 90 * value, clipped to [0, 255]
TINT = (1.0, 0.96, 0.88)                # colour of the RGB files


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


def middle_band(kind: int, yy: np.ndarray, xx: np.ndarray,
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


def render_scene(label: int, rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """One uint8 grayscale image of class ``label``, of height and width in [size, 1.25 * size]."""
    kind, relation = divmod(label, NUM_RELATIONS)
    sky = int(rng.integers(NUM_RELATIONS))
    ground = (sky + relation) % NUM_RELATIONS
    height, width = rng.integers(size, size + size // 4 + 1, size=2)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    horizon = np.tan(np.deg2rad(rng.uniform(-HORIZON_TILT_DEG, HORIZON_TILT_DEG))) * (xx - width / 2)
    sky_end = rng.uniform(*SKY_END) * height + horizon
    ground_start = rng.uniform(*GROUND_START) * height + horizon
    bands = ((yy < sky_end, stripes(yy, xx, sky, rng)),
             ((yy >= sky_end) & (yy < ground_start), middle_band(kind, yy, xx, rng)),
             (yy >= ground_start, stripes(yy, xx, ground, rng)))
    image = np.empty((height, width))
    for mask, pattern in bands:
        offset = rng.uniform(-BRIGHTNESS, BRIGHTNESS)
        image[mask] = rng.uniform(*CONTRAST) * pattern[mask] + offset
    image += rng.normal(0, NOISE, image.shape)
    return np.clip(128 + GRAY_SCALE * image, 0, 255).round().astype(np.uint8)


def save_image(pixels: np.ndarray, path_stem: Path, index: int, rng: np.random.Generator) -> None:
    """Mostly grayscale JPEG; every tenth image PNG and every tenth a tinted colour JPEG."""
    image = Image.fromarray(pixels)
    if index % 10 == 9:
        image.save(path_stem.with_suffix(".png"))
        return
    if index % 10 == 4:
        gray = pixels.astype(np.float64)[..., None]
        image = Image.fromarray((gray * np.array(TINT)).round().astype(np.uint8))
    image.save(path_stem.with_suffix(".jpg"), quality=int(rng.integers(70, 96)))


def write_scene_folder(root, *, seed: int, train_per_class: int, test_per_class: int,
                       size: int = 64) -> None:
    """Write ``root/train/<class>/`` and ``root/test/<class>/`` for the 15 classes.

    ``train_per_class`` and ``test_per_class`` images per class, named
    ``0000.jpg``, ``0001.jpg``, ... (some ``.png``). Image ``i`` of a class
    and split depends only on ``(seed, split, class, i)``, so a larger count
    adds images without changing the others. Existing files are overwritten.
    """
    counts = {"train": train_per_class, "test": test_per_class}
    for split_index, split in enumerate(SPLITS):
        for label, name in enumerate(CLASS_NAMES):
            folder = Path(root) / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(counts[split]):
                rng = np.random.default_rng([seed, split_index, label, i])
                save_image(render_scene(label, rng, size), folder / f"{i:04d}", i, rng)
