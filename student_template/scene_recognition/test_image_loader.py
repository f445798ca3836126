"""ImageLoader over a split folder the judge writes fresh for each run.

Class folders are drawn from the 15 scene names; images are PNG and JPEG,
grayscale and colour. Each stray file tests one function only, so that one
mistake costs its own points once: a file beside the class folders is in the
folder of get_classes' test, a file that is not an image inside each class
folder in that of load_imagepaths_with_labels' test; the other tests read a
folder without stray files. Pixels are compared with the judge's own decoding
of the same bytes.
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
def make_scenes(write_folder, image_file, np_rng):
    """`make_scenes(beside=False, inside=False)`: a folder with train/ and test/ splits of 3
    random classes, 2 to 4 images each; `beside`: a text file beside each split's class
    folders, `inside`: one in each class folder.

    Returns the folder and the judge's classes: {split: {class: [image paths]}} (relative).
    """
    def make(beside: bool = False, inside: bool = False):
        names = sorted(np_rng.choice(CLASS_NAMES, size=3, replace=False).tolist())
        files, layout = {}, {}
        for split in ("train", "test"):
            layout[split] = {}
            if beside:
                files[f"{split}/readme.txt"] = b"not a class\n"
            counts = np_rng.integers(2, 5, size=len(names)).tolist()
            # every kind of suffix in each split, the rest drawn at random
            kinds = list(dict.fromkeys(SUFFIXES))
            suffixes = np_rng.permutation(
                [*kinds, *np_rng.choice(SUFFIXES, sum(counts) - len(kinds))]).tolist()
            for name, count in zip(names, counts):
                paths = [f"{split}/{name}/{i:04d}{suffixes.pop()}" for i in range(count)]
                files.update({path: image_file(path, colour=i == 1, sides=(8, 24))
                              for i, path in enumerate(paths)})
                if inside:
                    files[f"{split}/{name}/notes.txt"] = b"not an image\n"
                layout[split][name] = paths
        return write_folder(files), layout
    return make


@pytest.fixture
def scenes(make_scenes):
    """A folder of image files only: see `make_scenes`."""
    return make_scenes()


def loader(submission, folder, split: str, transform=None):
    return submission.image_loader.ImageLoader(folder.path, split=split, transform=transform)


def class_indices(layout, split: str) -> dict[str, int]:
    """The course's numbering: the split's class folders in sorted name order."""
    return {name: index for index, name in enumerate(sorted(layout[split]))}


def relative(folder, path) -> str:
    checks.check_type(path, str, name="an image path", hint="paths are strings (str(path))")
    return os.path.relpath(path, folder.path).replace(os.sep, "/")


@pytest.mark.weight(2, split=True)
@pytest.mark.number("2.1")
@pytest.mark.parametrize("split", ["train", "test"])
def test_get_classes(submission, make_scenes, split):
    """get_classes numbers the class folders 0, 1, ... in sorted name order"""
    folder, layout = make_scenes(beside=True)
    checks.check_equal(loader(submission, folder, split).get_classes(),
                       class_indices(layout, split),
                       name=f"class indices of the {split} split",
                       hint="list the sub-folders of root/split (folders only), sort their names")


@pytest.mark.weight(3, split=True)
@pytest.mark.number("2.2")
@pytest.mark.parametrize("split", ["train", "test"])
def test_load_imagepaths_with_labels(submission, make_scenes, split):
    """load_imagepaths_with_labels lists every image file of the split with its class index"""
    folder, layout = make_scenes(inside=True)
    indices = class_indices(layout, split)
    classes = dict(reversed(indices.items()))  # labels come from the dict, in any order
    pairs = loader(submission, folder, split).load_imagepaths_with_labels(classes)
    checks.check_type(pairs, list, name="load_imagepaths_with_labels' return value")
    found = [(relative(folder, path), label) for path, label in pairs]
    expected = [(path, indices[name]) for name, paths in layout[split].items() for path in paths]
    checks.check_equal(sorted(found), sorted(expected),
                       name=f"(path, label) pairs of the {split} split, in any order",
                       hint="every .jpg, .jpeg and .png file (any case) of each class folder, "
                            "nothing else (not only *.jpg: the grader's folders mix them), "
                            "labelled with its class index")


@pytest.mark.weight(3)
@pytest.mark.number("2.3")
def test_len_and_getitem(submission, scenes, np_rng):
    """len() counts the images; [i] is the i-th image, transformed, and its label"""
    folder, layout = scenes
    data = loader(submission, folder, "test", transform=submission.helpers.pil_to_tensor())
    # The judge's own list in a shuffled order, so that this test does not depend on
    # load_imagepaths_with_labels (2.2): __len__ and __getitem__ read self.dataset.
    pairs = [(path, label) for label, name in enumerate(sorted(layout["test"]))
             for path in layout["test"][name]]
    pairs = [pairs[i] for i in np_rng.permutation(len(pairs))]
    submission.helpers.set_dataset(data, [(f"{folder.path}/{path}", label)
                                          for path, label in pairs])
    decoded = folder.images()
    checks.check_equal(len(data), len(pairs), name="len() of a split of that many images",
                       hint="the length of self.dataset")
    for index, (path, label) in enumerate(pairs):
        image, got_label = data[index]
        checks.check_equal(got_label, label, name=f"label of item {index}",
                           hint="item i is self.dataset[i]'s image and label")
        expected = torch.from_numpy(decoded[path].copy()).unsqueeze(0)
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
