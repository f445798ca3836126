"""MNIST transforms."""

from torchvision import transforms

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def get_transforms(normalize: bool) -> transforms.Compose:
    if not normalize:
        return transforms.Compose([transforms.ToTensor()])
    return transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize(mean=[MNIST_MEAN], std=[MNIST_STD]),
    ])
