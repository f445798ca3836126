import torchvision.transforms as T

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def get_transforms(normalize):
    transform_list = [T.ToTensor()]
    if normalize:
        transform_list += [T.Normalize((0.1307,), (0.3081,))]
    return T.Compose(transform_list)
