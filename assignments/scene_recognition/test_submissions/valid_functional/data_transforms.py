from torchvision import transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    return transforms.Compose([transforms.Resize(inp_size), transforms.ToTensor(),
                               transforms.Normalize((pixel_mean,), (pixel_std,))])


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    return transforms.Compose([
        transforms.Resize(inp_size),
        transforms.RandomHorizontalFlip(),
        transforms.RandomApply([transforms.GaussianBlur(3)], p=0.3),
        transforms.ColorJitter(brightness=0.15, contrast=0.15),
        transforms.ToTensor(),
        transforms.Normalize((pixel_mean,), (pixel_std,)),
    ])
