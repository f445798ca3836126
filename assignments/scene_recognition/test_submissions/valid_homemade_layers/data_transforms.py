from torchvision import transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    return transforms.Compose([
        transforms.Resize(size=inp_size),
        transforms.ToTensor(),
        transforms.Normalize(mean=[pixel_mean], std=[pixel_std]),
    ])


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    return transforms.Compose([
        transforms.ColorJitter(brightness=0.2, contrast=0.2),
        transforms.RandomHorizontalFlip(),
        transforms.Resize(size=inp_size),
        transforms.ToTensor(),
        transforms.Normalize(mean=[pixel_mean], std=[pixel_std]),
    ])
