from torchvision import transforms

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)

normalize = transforms.Normalize(mean=list(CIFAR_MEAN), std=list(CIFAR_STD))


def train_transforms():
    return transforms.Compose([
        transforms.RandomCrop(size=32, padding=4, fill=0, padding_mode="constant"),
        transforms.RandomHorizontalFlip(p=0.5),
        transforms.ToTensor(),
        normalize,
    ])


def test_transforms():
    return transforms.Compose([transforms.ToTensor(), normalize])
