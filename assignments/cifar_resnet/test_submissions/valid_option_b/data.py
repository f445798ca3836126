"""CIFAR-10 transforms."""

from torchvision import transforms

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)


def train_transforms() -> transforms.Compose:
    augment = [transforms.RandomCrop((32, 32), padding=4), transforms.RandomHorizontalFlip()]
    return transforms.Compose(augment + list(test_transforms().transforms))


def test_transforms() -> transforms.Compose:
    return transforms.Compose([transforms.ToTensor(),
                               transforms.Normalize(CIFAR_MEAN, CIFAR_STD)])
