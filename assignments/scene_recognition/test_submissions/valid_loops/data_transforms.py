import torchvision.transforms as transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    resize = transforms.Resize(inp_size)
    to_tensor = transforms.ToTensor()
    normalize = transforms.Normalize(mean=pixel_mean, std=pixel_std)
    return transforms.Compose([resize, to_tensor, normalize])


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    return transforms.Compose([
        transforms.RandomResizedCrop(inp_size, scale=(0.8, 1.0)),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(0.1, 0.1),
        transforms.ToTensor(),
        transforms.Normalize(mean=pixel_mean, std=pixel_std),
    ])
