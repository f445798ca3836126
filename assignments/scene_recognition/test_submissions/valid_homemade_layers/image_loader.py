import os

import torch
from PIL import Image
from torch.utils import data

EXTENSIONS = (".jpg", ".jpeg", ".png")


class ImageLoader(data.Dataset):
    def __init__(self, root_dir: str, split: str = "train", transform=None):
        self.root = os.path.expanduser(root_dir)
        self.curr_folder = os.path.join(self.root, split)
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self):
        names = []
        with os.scandir(self.curr_folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    names.append(entry.name)
        return {name: i for i, name in enumerate(sorted(names))}

    def load_imagepaths_with_labels(self, class_labels):
        pairs = []
        for name in sorted(class_labels, key=class_labels.get):
            folder = os.path.join(self.curr_folder, name)
            for file_name in sorted(os.listdir(folder)):
                if file_name.lower().endswith(EXTENSIONS):
                    pairs.append((os.path.join(folder, file_name), class_labels[name]))
        return pairs

    def load_img_from_path(self, path):
        return Image.open(path).convert("L")

    def __getitem__(self, index):
        path, label = self.dataset[index]
        image = self.load_img_from_path(path)
        if self.transform:
            image = self.transform(image)
        return image, label

    def __len__(self):
        return len(self.dataset)
