"""Transforms: which steps, and what they do to images of several sizes (behaviour, not goldens).

Expected tensors are the judge's own computation on the same image: PIL's
bilinear resize (what ``transforms.Resize`` does to a PIL image), scaling to
[0, 1], normalizing. The judge does not import torchvision (90 MB with the CUDA wheels).
"""

import numpy as np
import pytest
import torch
from PIL import Image

from grader.toolkit import checks, transforms

SIZE = (56, 64)           # (height, width): not square, so a swapped size shows
SHAPES = [(70, 90), (64, 64), (100, 66)]  # image heights and widths, resized to SIZE


def judge_transform(image: Image.Image, mean: float, std: float) -> torch.Tensor:
    """Resize(SIZE), ToTensor(), Normalize(mean, std), computed by the judge."""
    resized = image.resize((SIZE[1], SIZE[0]), Image.Resampling.BILINEAR)
    return (torch.from_numpy(np.asarray(resized)).float().div(255).unsqueeze(0) - mean) / std


def step_names(submission, transform, np_rng, name: str) -> list[str]:
    """The steps of ``transform``, named by what each does to gray images of SHAPES[0]."""
    return transforms.identify(submission, transform,
                               lambda: transforms.probe_pixels(np_rng, *SHAPES[0]), np_rng,
                               name=name)


@pytest.fixture
def statistics(np_rng):
    """A pixel mean and std, as compute_mean_and_std returns them."""
    return float(np_rng.uniform(0.3, 0.6)), float(np_rng.uniform(0.1, 0.3))


@pytest.fixture
def gray_images(submission, np_rng):
    """`gray_images()`: [(the worker's PIL image, the judge's copy)] of gray images of SHAPES."""
    def make():
        pairs = []
        for shape in SHAPES:
            pixels = np_rng.integers(0, 256, size=shape, dtype="uint8")
            pairs.append((submission.helpers.pil_image(pixels), Image.fromarray(pixels)))
        return pairs
    return make


@pytest.mark.weight(2)
@pytest.mark.number("3.1")
def test_fundamental_steps(submission, statistics, np_rng):
    """get_fundamental_transforms: Resize, ToTensor, Normalize, in this order"""
    transform = submission.data_transforms.get_fundamental_transforms(SIZE, *statistics)
    checks.check_equal(step_names(submission, transform, np_rng, "get_fundamental_transforms"),
                       ["Resize", "ToTensor", "Normalize"],
                       name="fundamental transform steps, each named by what it does",
                       hint=f"a step that does none of these shows as {transforms.OTHER!r}")


@pytest.mark.weight(3)
@pytest.mark.number("3.2")
def test_fundamental_values(submission, statistics, gray_images):
    """get_fundamental_transforms gives the (1, 56, 64) normalized tensor of any image"""
    mean, std = statistics
    transform = submission.data_transforms.get_fundamental_transforms(SIZE, mean, std)
    for image, own in gray_images():
        name = f"transformed {own.height}x{own.width} image"
        out = checks.check_tensor(transform(image), shape=(1, *SIZE), dtype=torch.float32,
                                  name=name, hint="inp_size is (height, width)")
        checks.check_close(out, judge_transform(own, mean, std), rtol=1e-5, atol=1e-5, name=name,
                           hint="Resize(inp_size), ToTensor() (scales to [0, 1]), then "
                                "Normalize(pixel_mean, pixel_std)")


@pytest.mark.weight(1)
@pytest.mark.number("3.3")
def test_augmentation_steps(submission, statistics, np_rng):
    """get_data_augmentation_transforms adds a random flip and a colour jitter"""
    transform = submission.data_transforms.get_data_augmentation_transforms(SIZE, *statistics)
    names = step_names(submission, transform, np_rng, "get_data_augmentation_transforms")
    for step in ("RandomHorizontalFlip", "ColorJitter", "ToTensor", "Normalize"):
        assert step in names, (
            f"the augmentation steps, each named by what it does, are {names}: none does what "
            f"{step} does (a step that matches no expected one shows as {transforms.OTHER!r})")
    assert names.index("ToTensor") < names.index("Normalize"), (
        f"the augmentation steps {names} normalize before ToTensor: Normalize works on the "
        "tensor ToTensor makes")


@pytest.mark.weight(3)
@pytest.mark.number("3.4")
def test_augmentation_behaviour(submission, statistics, np_rng):
    """Augmented images: the right size, normalized, random, and mirrored about half the time"""
    mean, std = statistics
    transform = submission.data_transforms.get_data_augmentation_transforms(SIZE, mean, std)
    shape = (int(np_rng.integers(64, 100)), int(np_rng.integers(64, 100)))
    pixels = torch.zeros(shape, dtype=torch.uint8)
    pixels[:, : shape[1] // 2] = 220  # bright left half, dark right half
    pixels[:, shape[1] // 2:] = 30
    image = submission.helpers.pil_image(pixels.numpy())
    outs = [checks.check_tensor(transform(image), shape=(1, *SIZE), dtype=torch.float32,
                                name="augmented image", hint="inp_size is (height, width)")
            for _ in range(40)]
    assert any(not torch.equal(outs[0], out) for out in outs[1:]), (
        "40 augmentations of the same image were identical: the augmentation must be random")
    half = SIZE[1] // 2
    mirrored = sum(bool(out[..., :half].mean() < out[..., half:].mean()) for out in outs)
    assert 8 <= mirrored <= 32, (
        f"{mirrored} of 40 augmentations of an image with a bright left half were mirrored; "
        "RandomHorizontalFlip should mirror about half of them")
    expected = judge_transform(Image.fromarray(pixels.numpy()), mean, std).mean().item()
    found = torch.stack(outs).mean().item()
    assert abs(found - expected) < 0.5, (
        f"the augmented images' mean value is {found:.3f} where the fundamental transforms "
        f"give {expected:.3f}: augment before ToTensor and Normalize, with mild changes "
        "that keep the scene")
