from torchvision import transforms

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def get_transforms(normalize: bool) -> transforms.Compose:
    to_tensor = transforms.ToTensor()
    norm = transforms.Normalize(mean=(MNIST_MEAN,), std=(MNIST_STD,))
    return transforms.Compose([to_tensor, norm] if normalize else [to_tensor])
