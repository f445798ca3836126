"""Make the two networks the hidden tests ship: `python assignments/scene_recognition/pretrain.py`.

- ``backbone.safetensors``: a small network laid out like torchvision's
  AlexNet (``features``, ``avgpool``, ``classifier`` ending in
  ``Linear(4096, 45)``), pretrained on a source task: the 45 classes (sky
  orientation, middle kind, ground orientation) of 6,000 stand-in scenes drawn
  with another seed than the graded ones. The fine-tuning test hands it to
  ``MyAlexNet(backbone=...)``: the 15 scene classes are unions of the source
  classes, so a new last layer on its frozen features transfers, while the
  same layers with random weights do not (the negative control).
- ``simple_net.safetensors``: SimpleNet's reference layers as one
  ``nn.Sequential``, trained on the graded train split: the float model the
  quantization tests hand to ``quantize_model``.

Both store their layer spec (``grader.toolkit.layers.sequential``) in the
file's metadata. CPU, deterministic for a given machine; about 3 minutes.
"""

import sys
from pathlib import Path

import numpy as np
import torch

from grader.toolkit.datasets import ImageDataset
from grader.toolkit.layers import save_network, sequential
from grader.toolkit.training import Recipe, train

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import datasets  # the assignment's own modules, beside this file
import helpers

PRETRAIN_SEED = 4476          # not datasets.SEED: the source task's images are not graded ones
PRETRAIN_PER_CLASS = 400      # per scene class: 6,000 images
# torchvision AlexNet's module indices (convolutions at features[0, 3, 6, 8, 10], linear
# layers at classifier[1, 4, 6]), so that code freezing layers by index works on it; at
# 64 x 64 the features come out at the pool's size (as AlexNet's do at 224 x 224), so a
# forward that leaves the average pool out computes the same. 224 x 224 works too.
BACKBONE = {
    "features": [["Conv2d", 3, 16, 5, 2, 2], ["ReLU"], ["MaxPool2d", 2],
                 ["Conv2d", 16, 32, 5, 1, 2], ["ReLU"], ["MaxPool2d", 2],
                 ["Conv2d", 32, 64, 3, 1, 1], ["ReLU"], ["Conv2d", 64, 64, 3, 1, 1], ["ReLU"],
                 ["Conv2d", 64, 64, 3, 1, 1], ["ReLU"], ["MaxPool2d", 3, 2]],
    "pool": [3, 3],
    "classifier": [["Dropout", 0.5], ["Linear", 64 * 9, 128], ["ReLU"], ["Dropout", 0.5],
                   ["Linear", 128, 4096], ["ReLU"], ["Linear", 4096, datasets.NUM_SOURCE_CLASSES]],
}
SIMPLE_NET = [["Conv2d", 1, 10, 5], ["MaxPool2d", 3], ["ReLU"], ["Conv2d", 10, 20, 5],
              ["MaxPool2d", 3], ["ReLU"], ["Flatten"], ["Linear", 500, 100], ["ReLU"],
              ["Linear", 100, 15]]


class ThreeChannels(torch.nn.Module):
    """Repeat a grayscale channel three times, as MyAlexNet's forward does."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.expand(-1, 3, -1, -1)


def source_task() -> ImageDataset:
    """6,000 stand-in scenes labelled with their 45 source classes, normalized like the graded ones."""
    pixels, labels = [], []
    for label in range(len(datasets.CLASS_NAMES)):
        for i in range(PRETRAIN_PER_CLASS):
            _, data, source_label = datasets.scene_file(PRETRAIN_SEED, "train", label, i)
            pixels.append(datasets.to_pixels(data))
            labels.append(source_label)
    images = torch.from_numpy(np.stack(pixels)).unsqueeze(1)
    raw = ImageDataset(images, torch.tensor(labels), (0.0,), (1.0,), "source-task")
    return datasets.with_statistics(raw, datasets.load_synthetic("train"))


def fit(model: torch.nn.Module, data: ImageDataset, epochs: int) -> None:
    result = train(model, recipe=Recipe(optimizer="adam", lr=1e-3, batch_size=64, epochs=epochs),
                   train_images=data.images, train_labels=data.labels, mean=data.mean,
                   std=data.std, seed=PRETRAIN_SEED)
    print(f"  {epochs} epochs, {result.seconds:.0f} s, last loss {result.loss_curve[-1]:.3f}")


def save(model: torch.nn.Module, spec, name: str, dtype: torch.dtype) -> None:
    save_network(HERE / name, spec, model.state_dict(), dtype)
    (HERE / name).chmod(0o644)
    print(f"wrote {HERE / name}")


def main() -> None:
    torch.manual_seed(PRETRAIN_SEED)
    backbone = helpers.alexnet_like(BACKBONE)
    print("backbone, source task:")
    fit(torch.nn.Sequential(ThreeChannels(), backbone.features, backbone.avgpool,
                            torch.nn.Flatten(), backbone.classifier), source_task(), epochs=12)
    save(backbone, BACKBONE, "backbone.safetensors", torch.float16)
    print("SimpleNet, for quantization:")
    simple_net = sequential(SIMPLE_NET)
    fit(simple_net, datasets.load_synthetic("train"), epochs=20)
    save(simple_net, SIMPLE_NET, "simple_net.safetensors", torch.float32)


if __name__ == "__main__":
    main()
