"""Transforms: which steps, and what they do to a real image (types and effects, not goldens)."""

import pytest
import torch

from grader.toolkit import checks

MEAN, STD = 0.1307, 0.3081


def steps(submission, normalize: bool) -> list:
    transform = submission.data.get_transforms(normalize=normalize)
    assert transform.isinstance_of("torchvision.transforms.Compose"), (
        f"get_transforms should return a transforms.Compose, got {transform.type_name}")
    return list(transform.transforms)


@pytest.mark.weight(2, split=True)
@pytest.mark.number("3.1")
@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalized"])
def test_transform_steps(submission, normalize):
    """get_transforms has ToTensor, then Normalize only when asked"""
    names = [s.type_name.rsplit(".", 1)[-1] for s in steps(submission, normalize)]
    checks.check_equal(names, ["ToTensor", "Normalize"] if normalize else ["ToTensor"],
                       name="transform steps")


@pytest.mark.weight(4, split=True)
@pytest.mark.number("3.2")
@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalized"])
def test_transform_values(submission, np_rng, normalize):
    """get_transforms turns a 28x28 image into the right (1, 28, 28) tensor"""
    pixels = np_rng.integers(0, 256, size=(28, 28), dtype="uint8")
    image = submission.helpers.pil_image(pixels)
    out = checks.check_tensor(submission.data.get_transforms(normalize=normalize)(image),
                              shape=(1, 28, 28), dtype=torch.float32, name="transformed image")
    expected = torch.from_numpy(pixels).float().div(255).unsqueeze(0)
    if normalize:
        expected = (expected - MEAN) / STD
    checks.check_close(out, expected, rtol=1e-5, atol=1e-5, name="transformed image",
                       hint="ToTensor scales to [0, 1]; Normalize uses mean 0.1307, std 0.3081")
