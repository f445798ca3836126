"""Transforms as in the course: fundamental ones, then the same with augmentation."""

import torchvision.transforms as transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    fundamental_transforms = None
    fundamental_transforms = transforms.Compose([
        transforms.Resize(inp_size),
        transforms.ToTensor(),
        transforms.Normalize(pixel_mean, pixel_std),
    ])
    return fundamental_transforms


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    aug_transforms = None
    aug_transforms = transforms.Compose([
        transforms.Resize(inp_size),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.3, contrast=0.3),
        transforms.ToTensor(),
        transforms.Normalize(pixel_mean, pixel_std),
    ])
    return aug_transforms
