"""A dataset over a folder of class sub-folders, as the 15-Scene data is laid out.

``root/<split>/<class name>/<image>``, with ``split`` "train" or "test" and
images stored as .jpg, .jpeg or .png files.
"""

from pathlib import Path

import torch
from PIL import Image
from torch.utils import data

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


class ImageLoader(data.Dataset):
    """The images of one split, as ``(image, label)`` pairs.

    ``root_dir``: the data folder; ``split``: "train" or "test" (the sub-folder
    read); ``transform``: applied to each grayscale PIL image by
    ``__getitem__`` (None: the image is returned as is).
    """

    def __init__(self, root_dir: str, split: str = "train", transform=None):
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        self.root = Path(root_dir).expanduser()
        self.curr_folder = self.root / split
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self) -> dict[str, int]:
        """Map each class (a sub-folder of the split) to its index: 0, 1, ... in sorted name order."""
        # TODO: list the sub-folders of self.curr_folder, sort their names, number them from 0
        raise NotImplementedError("TODO: list the sub-folders of self.curr_folder, sort their names, number them from 0")

    def load_imagepaths_with_labels(self, class_labels: dict[str, int]) -> list[tuple[str, int]]:
        """``(path, label)`` for every image file of every class folder in ``class_labels``.

        Paths are strings, labels the indices ``class_labels`` gives. Every
        .jpg, .jpeg and .png file counts (any case), not only .jpg. The order
        is free; sorting by class name, then by path, gives the same order on
        every machine.
        """
        # TODO: for each class folder, list its .jpg/.jpeg/.png files (sorted) with the class index
        raise NotImplementedError("TODO: for each class folder, list its .jpg/.jpeg/.png files (sorted) with the class index")

    def load_img_from_path(self, path: str) -> Image.Image:
        """The image at ``path`` as a grayscale PIL image (mode "L"), colour images converted."""
        # TODO: open the file with PIL and convert it to mode "L"
        raise NotImplementedError("TODO: open the file with PIL and convert it to mode \"L\"")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        """The ``index``-th image, transformed by ``self.transform`` when one is set, and its label."""
        # TODO: load self.dataset[index]'s image, apply self.transform if set, return (image, label)
        raise NotImplementedError("TODO: load self.dataset[index]'s image, apply self.transform if set, return (image, label)")

    def __len__(self) -> int:
        """The number of images in the split."""
        # TODO: the number of (path, label) pairs
        raise NotImplementedError("TODO: the number of (path, label) pairs")
