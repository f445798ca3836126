"""Input pipeline for CIFAR-10 images: each transform takes one PIL image, as torchvision's
CIFAR10 dataset gives them (RandomCrop takes no arrays: convert an H x W x 3 uint8 array
with PIL.Image.fromarray first)."""

from torchvision import transforms

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)


def train_transforms() -> transforms.Compose:
    """Augmentation and conversion of one training image to a (3, 32, 32) float tensor.

    In order: ``RandomCrop(32, padding=4)`` (zero padding), a
    ``RandomHorizontalFlip()`` with probability 0.5, ``ToTensor()`` (pixels
    scaled to [0, 1]) and ``Normalize(CIFAR_MEAN, CIFAR_STD)``.
    """
    # BEGIN SOLUTION
    # TODO: return transforms.Compose([...]) with the four transforms above, in that order
    return transforms.Compose([
        transforms.RandomCrop(32, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(CIFAR_MEAN, CIFAR_STD),
    ])
    # END SOLUTION


def test_transforms() -> transforms.Compose:
    """Conversion of one test image without augmentation: ``ToTensor()``, then ``Normalize``.

    Same ``Normalize(CIFAR_MEAN, CIFAR_STD)`` as in training, so both splits
    reach the model on the same scale.
    """
    # BEGIN SOLUTION
    # TODO: return transforms.Compose([...]) with ToTensor and Normalize
    return transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize(CIFAR_MEAN, CIFAR_STD),
    ])
    # END SOLUTION
