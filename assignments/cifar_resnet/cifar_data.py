"""CIFAR-shaped offline stand-in: pairs of shapes whose contrasts agree or not.

Every image (3 x 32 x 32, uint8) shows two objects of the same shape, one in
each half of the image (left and right, or top and bottom), among clutter
strokes on a background of random colour and gradient, with pixel noise.
Each object is lighter or darker than the background, at random. The class
(10 of them) is the shape (5 kinds) and whether the two objects have the same
contrast polarity: ``label = 2 * shape + (polarities differ)``.

Why it separates models: an object's polarity flips the sign of any linear
feature of it, so "same polarity" is a product of two signs, an XOR. The
objects' centres are 10 to 20 pixels apart along the split, mostly farther
than the 12 x 12 pixels one unit of SimpleNN's last feature map sees, so a
network forms that product after its convolutions: SimpleNN's classifier
does it with its activations, while SimpleNN without activations (max
pooling kept) stays near chance on the polarity half of the label, and a
linear model on pixels, facing random positions and polarities, near chance
on both.

Deterministic: a CPU torch generator, drawn in fixed chunks, so the same
seed gives the same images (float functions may differ in the last bit
between CPUs, which can move a rare pixel by one level).
"""

from __future__ import annotations

import math

import torch

SHAPES = ("disk", "ring", "plus", "cross", "triangle")
CLASSES = tuple(f"{shape}-{relation}" for shape in SHAPES for relation in ("same", "mixed"))
SIZE = 32
# split -> (images, seed). 8,000 training images: a grading worker holds them all (24 MB),
# and a 768 MB grader has no room for more; generate(n, 1) gives more of the same stream.
SPLITS = {"train": (8_000, 1), "heldout": (2_000, 2)}
CHUNK = 1_000  # images drawn at a time: the float working set stays near 100 MB


def _shape_mask(shape: int, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Pixels inside ``SHAPES[shape]``, given in the object's frame (about [-1, 1]^2)."""
    radius = torch.sqrt(u**2 + v**2)
    box = torch.maximum(u.abs(), v.abs())
    if shape == 0:
        return radius <= 1
    if shape == 1:
        return (radius <= 1) & (radius >= 0.5)
    if shape == 2:
        return ((u.abs() <= 0.33) | (v.abs() <= 0.33)) & (box <= 1)
    if shape == 3:
        return (((u - v).abs() <= 0.45) | ((u + v).abs() <= 0.45)) & (radius <= 1.1)
    return (v <= 0.75) & (v >= 1.7 * u.abs() - 1)


def generate(n: int, seed: int, *, noise: float = 0.08, clutter: int = 3
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images (uint8, N x 3 x 32 x 32) and their labels (int64, N), from ``seed``.

    ``noise`` is the standard deviation of the pixel noise (pixels in [0, 1]);
    ``clutter`` the number of random strokes per image.
    """
    g = torch.Generator().manual_seed(seed)
    # Filled in place: results kept between chunks would fragment the heap (+500 MB).
    images = torch.empty(n, 3, SIZE, SIZE, dtype=torch.uint8)
    labels = torch.empty(n, dtype=torch.int64)
    for start in range(0, n, CHUNK):
        end = min(start + CHUNK, n)
        images[start:end], labels[start:end] = _draw(end - start, g, noise, clutter)
    return images, labels


def _draw(n: int, g: torch.Generator, noise: float, clutter: int
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of ``generate``: ``n`` images and labels, drawn from ``g``."""
    def uniform(low, high, *shape):
        return low + (high - low) * torch.rand(n, *shape, generator=g)

    shape = torch.randint(len(SHAPES), (n,), generator=g)
    mixed = torch.randint(2, (n,), generator=g)
    labels = 2 * shape + mixed
    ys, xs = torch.meshgrid(torch.arange(SIZE, dtype=torch.float32),
                            torch.arange(SIZE, dtype=torch.float32), indexing="ij")

    def rotated(cy, cx, angle):  # pixel coordinates relative to (cy, cx), rotated by angle
        dy, dx = ys - cy, xs - cx
        cos, sin = torch.cos(angle), torch.sin(angle)
        return dx * cos + dy * sin, dy * cos - dx * sin

    # Background: a random colour with a random linear gradient.
    base = uniform(0.2, 0.8, 3, 1, 1)
    tilt = uniform(-0.15, 0.15, 2, 3, 1, 1)
    image = base + (tilt[:, 0] * (ys - 15.5) + tilt[:, 1] * (xs - 15.5)) / 16

    # Clutter: short strokes of random colours, anywhere, at any angle.
    for _ in range(clutter):
        along, across = rotated(uniform(0, SIZE, 1, 1), uniform(0, SIZE, 1, 1),
                                uniform(0, math.pi, 1, 1))
        stroke = (along.abs() <= uniform(2, 5, 1, 1)) & (across.abs() <= 0.7)
        image = torch.where(stroke.unsqueeze(1), uniform(0, 1, 3, 1, 1), image)

    # The two objects: centres 6-11 and 21-26 pixels along one axis (x, or y for
    # half of the images), 6-26 along the other; radius 4-6 pixels; tilted a little.
    first_sign = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    signs = (first_sign, torch.where(mixed == 1, -first_sign, first_sign))
    vertical = torch.rand(n, 1, 1, generator=g) < 0.5
    for sign, (low, high) in zip(signs, ((6, 11), (21, 26)), strict=True):
        split_axis, other_axis = uniform(low, high, 1, 1), uniform(6, 26, 1, 1)
        cy = torch.where(vertical, split_axis, other_axis)
        cx = torch.where(vertical, other_axis, split_axis)
        u, v = rotated(cy, cx, uniform(-0.3, 0.3, 1, 1))
        radius = uniform(4, 6, 1, 1)
        u, v = u / radius, v / radius
        mask = torch.zeros(n, SIZE, SIZE, dtype=torch.bool)
        for k in range(len(SHAPES)):
            index = (shape == k).nonzero().flatten()
            mask[index] = _shape_mask(k, u[index], v[index])
        colour = (base + sign.view(n, 1, 1, 1) * uniform(0.25, 0.45, 3, 1, 1)).clamp(0, 1)
        image = torch.where(mask.unsqueeze(1), colour, image)

    image = image + noise * torch.randn(image.shape, generator=g)
    images = (image * 255).round().clamp(0, 255).to(torch.uint8)
    return images, labels


def load_split(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``"train"`` (8,000 images) or ``"heldout"`` (2,000) split: images, labels."""
    n, seed = SPLITS[split]
    return generate(n, seed)
