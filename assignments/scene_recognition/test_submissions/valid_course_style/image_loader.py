"""ImageLoader in the course's style: os.listdir and glob, labels from the class dict."""

import glob
import os

import torch
from PIL import Image
from torch.utils import data


class ImageLoader(data.Dataset):
    """Class that loads the images of one split of root/<split>/<class>/ folders."""

    train_folder = "train"
    test_folder = "test"

    def __init__(self, root_dir: str, split: str = "train", transform=None):
        self.root = os.path.expanduser(root_dir)
        self.transform = transform
        self.split = split
        if split == "train":
            self.curr_folder = os.path.join(root_dir, self.train_folder)
        elif split == "test":
            self.curr_folder = os.path.join(root_dir, self.test_folder)
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def load_imagepaths_with_labels(self, class_labels):
        img_paths = []
        for class_name, class_idx in class_labels.items():
            for path in glob.glob(os.path.join(self.curr_folder, class_name, "*")):
                if path.lower().endswith((".jpg", ".jpeg", ".png")):
                    img_paths.append((path, class_idx))
        return img_paths

    def get_classes(self):
        classes = dict()
        names = [d for d in os.listdir(self.curr_folder)
                 if os.path.isdir(os.path.join(self.curr_folder, d))]
        names.sort()
        for idx, name in enumerate(names):
            classes[name] = idx
        return classes

    def load_img_from_path(self, path):
        img = Image.open(path)
        img = img.convert(mode="L")
        return img

    def __getitem__(self, index):
        img = None
        class_idx = None
        path, class_idx = self.dataset[index]
        img = self.load_img_from_path(path)
        if self.transform is not None:
            img = self.transform(img)
        return img, class_idx

    def __len__(self):
        l = 0
        l = len(self.dataset)
        return l
