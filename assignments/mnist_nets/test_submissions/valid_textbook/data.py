"""Transforms for MNIST."""

from torchvision import transforms

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def get_transforms(normalize: bool) -> transforms.Compose:
    steps = [transforms.ToTensor()]
    if normalize:
        steps.append(transforms.Normalize((MNIST_MEAN,), (MNIST_STD,)))
    return transforms.Compose(steps)
