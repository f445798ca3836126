"""Transforms; the augmentation flips the normalized tensor, after ToTensor and Normalize."""

from torchvision import transforms as T


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std) -> T.Compose:
    return T.Compose([T.Resize(inp_size), T.ToTensor(), T.Normalize(pixel_mean, pixel_std)])


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std) -> T.Compose:
    return T.Compose([
        T.Resize(inp_size),
        T.ColorJitter(brightness=0.25, contrast=0.25),
        T.ToTensor(),
        T.Normalize(pixel_mean, pixel_std),
        T.RandomHorizontalFlip(p=0.5),  # works on tensors as well as on images
    ])
