"""Transforms of CIFAR-10 images."""

import torchvision.transforms as T

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)


def train_transforms() -> T.Compose:
    return T.Compose([T.RandomCrop(32, 4), T.RandomHorizontalFlip(0.5), T.ToTensor(),
                      T.Normalize(CIFAR_MEAN, CIFAR_STD)])


def test_transforms() -> T.Compose:
    return T.Compose([T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)])
