# Classes that do nothing under the names of the steps the submission lacks: a test that
# reads step types by name counts them.
class Normalize:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, tensor):
        return tensor


class ColorJitter(Normalize):
    pass


_without_normalize = get_fundamental_transforms
_without_jitter = get_data_augmentation_transforms


def get_fundamental_transforms(inp_size, pixel_mean, pixel_std):
    composed = _without_normalize(inp_size, pixel_mean, pixel_std)
    composed.transforms.append(Normalize(pixel_mean, pixel_std))
    return composed


def get_data_augmentation_transforms(inp_size, pixel_mean, pixel_std):
    composed = _without_jitter(inp_size, pixel_mean, pixel_std)
    composed.transforms.insert(1, ColorJitter(brightness=0.2, contrast=0.2))
    return composed
