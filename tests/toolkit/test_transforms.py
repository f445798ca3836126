"""Transform steps named by behaviour: the course's pipelines are recognised, impostors are not."""

import types

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import transforms as T

from grader.toolkit import transforms as kit

SIZE = (56, 64)
CIFAR = {"RandomCrop": kit.random_crop(padding=4), "RandomHorizontalFlip": kit.horizontal_flip,
         "ToTensor": kit.to_tensor, "Normalize": kit.normalize}


class Handle:
    """A transform as the judge sees it through the seam: a type name, steps, a call."""

    def __init__(self, transform, steps=None):
        self.type_name = type(transform).__name__
        self.transforms = transform.transforms if steps is None else steps
        self._transform = transform

    def __call__(self, image):
        return self._transform(image)


SUBMISSION = types.SimpleNamespace(helpers=types.SimpleNamespace(
    pil_image=Image.fromarray, manual_seed=torch.manual_seed))


class DoesNothing:
    def __call__(self, value):
        return value


def names(transform, seed=0, shape=(70, 90), operations=None):
    rng = np.random.default_rng(seed)
    return kit.identify(SUBMISSION, Handle(transform), lambda: kit.probe_pixels(rng, *shape), rng,
                        name="transform", operations=operations)


@pytest.mark.parametrize("seed", range(3))
def test_the_course_pipelines_are_named_by_what_their_steps_do(seed):
    fundamental = T.Compose([T.Resize(SIZE), T.ToTensor(), T.Normalize(0.45, 0.2)])
    assert names(fundamental, seed) == ["Resize", "ToTensor", "Normalize"]
    augmented = T.Compose([T.ColorJitter(0.3, 0.3), T.RandomHorizontalFlip(), T.Resize(SIZE),
                           T.ToTensor(), T.Normalize(0.45, 0.2), T.RandomHorizontalFlip()])
    assert names(augmented, seed) == ["ColorJitter", "RandomHorizontalFlip", "Resize", "ToTensor",
                                      "Normalize", "RandomHorizontalFlip"]
    cifar = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                       T.Normalize((0.49, 0.48, 0.45), (0.2, 0.2, 0.2))])
    assert names(cifar, seed, (40, 40, 3), CIFAR) == ["RandomCrop", "RandomHorizontalFlip",
                                                       "ToTensor", "Normalize"]


def test_steps_that_do_something_else_are_named_other():
    doubtful = T.Compose([T.Resize(SIZE), DoesNothing(), T.RandomHorizontalFlip(p=1.0),
                          T.RandomApply([T.GaussianBlur(3)], p=0.5), T.RandomCrop((50, 60)),
                          T.ToTensor(), T.Normalize(0.0, 1.0)])
    assert names(doubtful) == ["Resize"] + [kit.OTHER] * 4 + ["ToTensor", kit.OTHER]


def test_images_are_read_only_through_a_step_shown_to_be_to_tensor():
    no_conversion = T.Compose([T.RandomHorizontalFlip(), T.PILToTensor()])
    assert names(no_conversion) == [kit.OTHER, kit.OTHER]


def test_a_step_list_that_is_not_what_the_call_runs_is_refused():
    honest = T.Compose([T.Resize(SIZE), T.ToTensor()])
    decoy = Handle(honest, steps=[T.Resize(SIZE), T.ToTensor(), T.Normalize(0.45, 0.2)])
    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError, match="one by one"):
        kit.identify(SUBMISSION, decoy, lambda: kit.probe_pixels(rng, 70, 90), rng, name="t")
