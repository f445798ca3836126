from pathlib import Path

import torch
from PIL import Image
from torch.utils import data


class ImageLoader(data.Dataset):
    def __init__(self, root_dir: str, split: str = "train", transform=None):
        self.root = Path(root_dir).expanduser()
        self.curr_folder = self.root / split
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self):
        return {folder.name: i for i, folder in
                enumerate(sorted(p for p in self.curr_folder.glob("*") if p.is_dir()))}

    def load_imagepaths_with_labels(self, class_labels):
        found = []
        for name, label in class_labels.items():
            for path in (self.curr_folder / name).glob("*"):
                if path.suffix.lower() in (".jpg", ".jpeg", ".png") and path.is_file():
                    found.append((str(path), label))
        return sorted(found)

    def load_img_from_path(self, path):
        return Image.open(path).convert("L")

    def __getitem__(self, index):
        path, label = self.dataset[index]
        image = self.load_img_from_path(path)
        return (image if self.transform is None else self.transform(image)), label

    def __len__(self):
        return len(self.dataset)
