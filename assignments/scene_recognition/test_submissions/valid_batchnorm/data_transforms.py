from torchvision import transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    steps = [transforms.Resize(inp_size), transforms.ToTensor(),
             transforms.Normalize(pixel_mean, pixel_std)]
    return transforms.Compose(steps)


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    steps = [transforms.Resize(inp_size),
             transforms.RandomHorizontalFlip(p=0.5),
             transforms.RandomApply([transforms.ColorJitter(brightness=0.4)], p=0.8),
             transforms.ColorJitter(contrast=0.2),
             transforms.ToTensor(),
             transforms.Normalize(pixel_mean, pixel_std)]
    return transforms.Compose(steps)
