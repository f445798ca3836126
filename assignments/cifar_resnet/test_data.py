"""Transforms: which steps, and what they do to an image, sample by sample."""

import pytest
import torch
import torch.nn.functional as F

from grader.kit.fixtures import seed_from
from grader.toolkit import checks, transforms

MEAN = torch.tensor((0.4914, 0.4822, 0.4465)).view(3, 1, 1)
STD = torch.tensor((0.2023, 0.1994, 0.2010)).view(3, 1, 1)
STEPS = {"train_transforms": ["RandomCrop", "RandomHorizontalFlip", "ToTensor", "Normalize"],
         "test_transforms": ["ToTensor", "Normalize"]}
OPERATIONS = {"ToTensor": transforms.to_tensor, "Normalize": transforms.normalize,
              "RandomCrop": transforms.random_crop(padding=4),
              "RandomHorizontalFlip": transforms.horizontal_flip}
PROBE = (40, 40)  # larger than the crop, so that a crop moves whether or not it pads
SAMPLES = 100  # augmented copies of one image; a fair coin flips 30 to 70 of them (p > 0.9999)


def normalized(pixels) -> torch.Tensor:
    """What ToTensor then Normalize make of an H x W x 3 uint8 array."""
    return (torch.from_numpy(pixels).permute(2, 0, 1).float() / 255 - MEAN) / STD


def candidates(pixels) -> torch.Tensor:
    """Every output RandomCrop(32, padding=4) and a flip can give: (flip, top, left) x 3x32x32."""
    padded = F.pad(torch.from_numpy(pixels).permute(2, 0, 1).float() / 255, (4, 4, 4, 4))
    crops = torch.stack([torch.stack([padded[:, i:i + 32, j:j + 32] for j in range(9)])
                         for i in range(9)])
    return (torch.stack([crops, crops.flip(-1)]) - MEAN) / STD  # 2 x 9 x 9 x 3 x 32 x 32


@pytest.mark.weight(2, split=True)
@pytest.mark.number("3.1")
@pytest.mark.parametrize("factory", list(STEPS))
def test_transform_steps(submission, factory, np_rng):
    """The transform is a Compose of the specified steps, in order"""
    names = transforms.identify(submission, getattr(submission.data, factory)(),
                                lambda: transforms.probe_pixels(np_rng, *PROBE, channels=3),
                                np_rng, name=f"{factory}()", operations=OPERATIONS)
    checks.check_equal(names, STEPS[factory],
                       name=f"steps of {factory}(), each named by what it does",
                       hint="augment only the training images; test images are only converted "
                            f"(a step that does none of these shows as {transforms.OTHER!r})")


@pytest.mark.weight(6)
@pytest.mark.number("3.2")
def test_train_transform_augments(submission, np_rng, rng):
    """Training images: padded random crops of 32 x 32, flipped about half the time, normalized"""
    pixels = np_rng.integers(0, 256, size=(32, 32, 3), dtype="uint8")
    options = candidates(pixels).flatten(0, 2)  # 162 possible outputs
    image = submission.helpers.pil_image(pixels)
    transform = submission.data.train_transforms()
    submission.helpers.manual_seed(seed_from(rng))
    seen = []
    for _ in range(SAMPLES):
        out = checks.check_tensor(transform(image), shape=(3, 32, 32), dtype=torch.float32,
                                  name="transformed training image")
        error = (options - out).abs().flatten(1).amax(1)
        best = int(error.argmin())
        assert error[best] < 1e-4, (
            "a transformed training image is not a 32 x 32 crop of the image zero-padded by 4 "
            "pixels, flipped or not, normalized with the CIFAR-10 mean and std (largest "
            f"difference from the closest one: {error[best]:.3g})")
        seen.append(divmod(best, 81))
    flips = sum(flip for flip, _ in seen)
    assert 30 <= flips <= 70, (f"{flips} of {SAMPLES} transformed images were flipped; "
                               "RandomHorizontalFlip() flips half of them")
    offsets = len({offset for _, offset in seen})
    assert offsets >= 20, (f"only {offsets} different crop positions in {SAMPLES} images; "
                           "RandomCrop(32, padding=4) picks one of 81 at random")
    # Each crop starts 0-8 pixels into the padded image: one in 100 misses both ends of
    # a side with probability (7/9)**100, about 1e-11.
    tops, lefts = {offset // 9 for _, offset in seen}, {offset % 9 for _, offset in seen}
    assert tops & {0, 8} and lefts & {0, 8}, (
        f"no crop in {SAMPLES} images reached the edge of the padding on every side; "
        "RandomCrop(32, padding=4) pads by 4 pixels on each side")


@pytest.mark.weight(4)
@pytest.mark.number("3.3")
def test_test_transform_is_deterministic(submission, np_rng):
    """Test images are converted and normalized, the same way every time, never augmented"""
    pixels = np_rng.integers(0, 256, size=(32, 32, 3), dtype="uint8")
    image = submission.helpers.pil_image(pixels)
    transform = submission.data.test_transforms()
    for _ in range(8):
        out = checks.check_tensor(transform(image), shape=(3, 32, 32), dtype=torch.float32,
                                  name="transformed test image")
        checks.check_close(out, normalized(pixels), rtol=1e-5, atol=1e-5,
                           name="transformed test image",
                           hint="ToTensor, then Normalize with the CIFAR-10 mean and std; no "
                                "random step")
