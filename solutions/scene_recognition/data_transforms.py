"""The transforms that turn a grayscale PIL image into a normalized tensor for the nets."""

from torchvision import transforms


def get_fundamental_transforms(inp_size: tuple[int, int], pixel_mean, pixel_std) -> transforms.Compose:
    """``Resize(inp_size)``, ``ToTensor()``, ``Normalize(pixel_mean, pixel_std)``, in this order.

    ``inp_size`` is ``(height, width)``, so every image comes out with exactly
    that size whatever its own; ``pixel_mean`` and ``pixel_std`` are floats or
    one-element sequences (grayscale), as ``compute_mean_and_std`` returns them.
    A grayscale image becomes a (1, height, width) float tensor.
    """
    # BEGIN SOLUTION
    # TODO: return transforms.Compose([...]) with Resize, ToTensor and Normalize
    return transforms.Compose([
        transforms.Resize(inp_size),
        transforms.ToTensor(),
        transforms.Normalize(mean=pixel_mean, std=pixel_std),
    ])
    # END SOLUTION


def get_data_augmentation_transforms(inp_size: tuple[int, int], pixel_mean,
                                     pixel_std) -> transforms.Compose:
    """The fundamental transforms plus random changes that keep the scene's class.

    Adds a ``RandomHorizontalFlip`` (a mirrored scene is the same scene) and a
    ``ColorJitter`` of brightness and contrast, and may add more (here a small
    ``RandomResizedCrop`` back to ``inp_size``), in an order of your choice as
    long as ``ToTensor`` comes before ``Normalize`` and the changes stay mild;
    the output has the same shape and normalization as
    ``get_fundamental_transforms``.
    """
    # BEGIN SOLUTION
    # TODO: Resize, then random flip / jitter / crop, then ToTensor and Normalize
    return transforms.Compose([
        transforms.Resize(inp_size),
        transforms.RandomResizedCrop(inp_size, scale=(0.85, 1.0), ratio=(0.9, 1.1)),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.2, contrast=0.2),
        transforms.ToTensor(),
        transforms.Normalize(mean=pixel_mean, std=pixel_std),
    ])
    # END SOLUTION
