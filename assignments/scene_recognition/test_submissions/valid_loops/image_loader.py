import os

from PIL import Image
from torch.utils import data


class ImageLoader(data.Dataset):
    def __init__(self, root_dir, split="train", transform=None):
        self.root = os.path.expanduser(root_dir)
        self.curr_folder = os.path.join(self.root, split)
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self):
        names = sorted(os.listdir(self.curr_folder))
        classes = {}
        index = 0
        for name in names:
            if os.path.isdir(os.path.join(self.curr_folder, name)):
                classes[name] = index
                index += 1
        return classes

    def load_imagepaths_with_labels(self, class_labels):
        pairs = []
        for name in sorted(class_labels):
            folder = os.path.join(self.curr_folder, name)
            for file_name in sorted(os.listdir(folder)):
                path = os.path.join(folder, file_name)
                lower = file_name.lower()
                if os.path.isfile(path) and (lower.endswith(".jpg") or lower.endswith(".jpeg")
                                             or lower.endswith(".png")):
                    pairs.append((path, class_labels[name]))
        return pairs

    def load_img_from_path(self, path):
        image = Image.open(path)
        gray = image.convert("L")
        image.close()
        return gray

    def __getitem__(self, index):
        path, label = self.dataset[index]
        image = self.load_img_from_path(path)
        if self.transform is not None:
            image = self.transform(image)
        return image, label

    def __len__(self):
        count = 0
        for _ in self.dataset:
            count += 1
        return count

    def class_counts(self):
        """How many images each class has (handy in the notebook)."""
        counts = {name: 0 for name in self.class_dict}
        names = {index: name for name, index in self.class_dict.items()}
        for _, label in self.dataset:
            counts[names[label]] += 1
        return counts
