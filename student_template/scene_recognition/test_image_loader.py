"""ImageLoader over a split folder the judge writes fresh for each run.

Class folders are drawn from the 15 scene names; images are PNG and JPEG,
grayscale and colour, with a file that is not an image in a class folder and
one beside the class folders. Pixels are compared with the judge's own
decoding of the same bytes.
"""

import os

import numpy as np
import pytest
import torch

from grader.toolkit import checks

CLASS_NAMES = ("bedroom", "coast", "forest", "highway", "industrial", "insidecity", "kitchen",
               "livingroom", "mountain", "office", "opencountry", "store", "street", "suburb",
               "tallbuilding")
SUFFIXES = (".jpg", ".png", ".jpg", ".JPG", ".jpeg")


@pytest.fixture
def scenes(write_folder, image_file, np_rng):
    """A folder with train/ and test/ splits of 3 random classes, 2 to 4 images each.

    Returns the folder and the judge's classes: {split: {class: [image paths]}} (relative).
    """
    names = sorted(np_rng.choice(CLASS_NAMES, size=3, replace=False).tolist())
    files, layout = {"train/readme.txt": b"not a class\n"}, {}
    for split in ("train", "test"):
        layout[split] = {}
        for name in names:
            count = int(np_rng.integers(2, 5))
            paths = [f"{split}/{name}/{i:04d}{SUFFIXES[int(np_rng.integers(len(SUFFIXES)))]}"
                     for i in range(count)]
            files.update({path: image_file(path, colour=i == 1, sides=(8, 24))
                          for i, path in enumerate(paths)})
            files[f"{split}/{name}/notes.txt"] = b"not an image\n"
            layout[split][name] = paths
    return write_folder(files), layout


def loader(submission, folder, split: str, transform=None):
    return submission.image_loader.ImageLoader(folder.path, split=split, transform=transform)


def relative(folder, path) -> str:
    checks.check_type(path, str, name="an image path", hint="paths are strings (str(path))")
    return os.path.relpath(path, folder.path).replace(os.sep, "/")


@pytest.mark.weight(2, split=True)
@pytest.mark.number("2.1")
@pytest.mark.parametrize("split", ["train", "test"])
def test_get_classes(submission, scenes, split):
    """get_classes numbers the class folders 0, 1, ... in sorted name order"""
    folder, layout = scenes
    expected = {name: index for index, name in enumerate(sorted(layout[split]))}
    checks.check_equal(loader(submission, folder, split).get_classes(), expected,
                       name=f"class indices of the {split} split",
                       hint="list the sub-folders of root/split (folders only), sort their names")


@pytest.mark.weight(3, split=True)
@pytest.mark.number("2.2")
@pytest.mark.parametrize("split", ["train", "test"])
def test_load_imagepaths_with_labels(submission, scenes, split):
    """load_imagepaths_with_labels lists every image file of the split with its class index"""
    folder, layout = scenes
    indices = {name: index for index, name in enumerate(sorted(layout[split]))}
    classes = dict(reversed(indices.items()))  # a dict in another order than its names'
    pairs = loader(submission, folder, split).load_imagepaths_with_labels(classes)
    checks.check_type(pairs, list, name="load_imagepaths_with_labels' return value")
    found = [(relative(folder, path), label) for path, label in pairs]
    expected = [(path, indices[name]) for name in sorted(layout[split])
                for path in sorted(layout[split][name])]
    checks.check_equal(sorted(found), sorted(expected),
                       name=f"(path, label) pairs of the {split} split",
                       hint="every .jpg, .jpeg and .png file (any case) of each class folder, "
                            "nothing else, labelled with its class index")
    checks.check_equal(found, expected, name=f"order of the {split} split's pairs",
                       hint="sort by class name (sorted(class_labels)), then by path within "
                            "each class: folder listings come in no set order")


@pytest.mark.weight(3)
@pytest.mark.number("2.3")
def test_len_and_getitem(submission, scenes):
    """len() counts the images; [i] is the i-th image, transformed, and its label"""
    folder, layout = scenes
    data = loader(submission, folder, "test", transform=submission.helpers.pil_to_tensor())
    decoded = folder.images()
    checks.check_equal(len(data), sum(len(p) for p in layout["test"].values()),
                       name="len() of the test split")
    for index, (path, label) in enumerate(data.dataset):
        image, got_label = data[index]
        checks.check_equal(got_label, label, name=f"label of item {index}")
        expected = torch.from_numpy(decoded[relative(folder, path)].copy()).unsqueeze(0)
        checks.check_tensor(image, shape=tuple(expected.shape), dtype=torch.uint8,
                            name=f"item {index} after the transform",
                            hint="__getitem__ loads the image (grayscale) and applies self.transform")
        checks.check_close(image, expected, rtol=0, atol=0, name=f"pixels of item {index}")


@pytest.mark.weight(2)
@pytest.mark.number("2.4")
def test_load_img_from_path_is_grayscale(submission, scenes):
    """load_img_from_path returns a grayscale ("L") image, colour files converted"""
    folder, _ = scenes
    data = loader(submission, folder, "train")
    for name, expected in folder.images().items():
        found = submission.helpers.pixels(data.load_img_from_path(f"{folder.path}/{name}"))
        checks.check_equal(found["mode"], "L", name=f"mode of the image read from {name}",
                           hint='convert every image with .convert("L")')
        checks.check_close(np.asarray(found["pixels"]), expected, rtol=0, atol=0,
                           name=f"pixels of {name}")
