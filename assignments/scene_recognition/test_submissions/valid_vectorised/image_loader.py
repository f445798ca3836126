"""A dataset over root/<split>/<class>/<image> folders, written with pathlib."""

from pathlib import Path

from PIL import Image
from torch.utils import data


def is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".jpg", ".jpeg", ".png")


class ImageLoader(data.Dataset):
    def __init__(self, root_dir: str, split: str = "train", transform=None):
        assert split in ("train", "test"), split
        self.root = Path(root_dir)
        self.curr_folder = self.root / split
        self.transform = transform
        self.class_dict = self.get_classes()
        self.dataset = self.load_imagepaths_with_labels(self.class_dict)

    def get_classes(self) -> dict[str, int]:
        folders = sorted(entry.name for entry in self.curr_folder.iterdir() if entry.is_dir())
        return dict(zip(folders, range(len(folders))))

    def load_imagepaths_with_labels(self, class_labels: dict[str, int]) -> list[tuple[str, int]]:
        return [(str(path), label)
                for name, label in sorted(class_labels.items())
                for path in sorted(filter(is_image, (self.curr_folder / name).iterdir()))]

    def load_img_from_path(self, path: str) -> Image.Image:
        with Image.open(path) as image:
            image.load()
            return image.convert("L")

    def __getitem__(self, index: int):
        path, label = self.dataset[index]
        image = self.load_img_from_path(path)
        return (self.transform(image) if self.transform else image), label

    def __len__(self) -> int:
        return len(self.dataset)
