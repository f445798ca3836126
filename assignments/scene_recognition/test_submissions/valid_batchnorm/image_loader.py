from pathlib import Path

from PIL import Image
from torch.utils.data import Dataset


class ImageLoader(Dataset):
    IMAGE_TYPES = (".jpg", ".jpeg", ".png")

    def __init__(self, root_dir, split="train", transform=None):
        self.root = Path(root_dir).expanduser()
        self.curr_folder = self.root / split
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self):
        class_dict = {}
        for folder in sorted(self.curr_folder.iterdir()):
            if folder.is_dir():
                class_dict[folder.name] = len(class_dict)
        return class_dict

    def images_of(self, class_name):
        folder = self.curr_folder / class_name
        return sorted(str(p) for p in folder.iterdir()
                      if p.is_file() and p.suffix.lower() in self.IMAGE_TYPES)

    def load_imagepaths_with_labels(self, class_labels):
        result = []
        for class_name in sorted(class_labels.keys()):
            result.extend((path, class_labels[class_name]) for path in self.images_of(class_name))
        return result

    def load_img_from_path(self, path):
        image = Image.open(path)
        return image if image.mode == "L" else image.convert("L")

    def __getitem__(self, index):
        path, label = self.dataset[index]
        img = self.load_img_from_path(path)
        if self.transform is not None:
            img = self.transform(img)
        return img, label

    def __len__(self):
        return len(self.dataset)
