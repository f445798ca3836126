"""Input pipeline for MNIST images (PIL images or uint8 arrays of 28 x 28 pixels)."""

from torchvision import transforms

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def get_transforms(normalize: bool) -> transforms.Compose:
    """A ``transforms.Compose`` turning one image into a (1, 28, 28) float tensor.

    The first transform is ``ToTensor`` (pixels scaled to [0, 1]); with
    ``normalize=True`` it is followed by ``Normalize((0.1307,), (0.3081,))``,
    the mean and standard deviation of the MNIST training pixels.
    """
    # BEGIN SOLUTION
    # TODO: return transforms.Compose([...]) with ToTensor and, if asked, Normalize
    steps = [transforms.ToTensor()]
    if normalize:
        steps.append(transforms.Normalize((MNIST_MEAN,), (MNIST_STD,)))
    return transforms.Compose(steps)
    # END SOLUTION
