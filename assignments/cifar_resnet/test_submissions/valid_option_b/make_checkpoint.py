"""How resnet20.safetensors was made (not part of the submission; the grader ignores it).

Trains this submission's ResNet20(shortcut="B") with its own train_one_epoch on 20,000
images of the stand-in generator the student template ships (cifar_data.py), then saves
the weights as the handout says. Run from this folder:

    python make_checkpoint.py PATH/TO/student_template/cifar_resnet
"""

import sys

import torch
from safetensors.torch import save_file
from torch.utils.data import DataLoader, TensorDataset

from data import CIFAR_MEAN, CIFAR_STD
from models import ResNet20
from train import evaluate, train_one_epoch

sys.path.insert(0, sys.argv[1])
import cifar_data  # noqa: E402 - the template's generator, found through argv

EPOCHS, BATCH = 1, 64


def normalized(images: torch.Tensor) -> torch.Tensor:
    """What ToTensor then Normalize make of uint8 N x 3 x 32 x 32 images, as one batch."""
    mean = torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR_STD).view(1, 3, 1, 1)
    return (images.float() / 255 - mean) / std


def main() -> None:
    torch.manual_seed(20)
    images, labels = cifar_data.generate(20_000, 1)
    held_images, held_labels = cifar_data.load_split("heldout")
    train_loader = DataLoader(TensorDataset(normalized(images), labels), batch_size=BATCH,
                              shuffle=True)
    held_loader = DataLoader(TensorDataset(normalized(held_images), held_labels),
                             batch_size=256)
    model = ResNet20(shortcut="B")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    device = torch.device("cpu")
    for epoch in range(EPOCHS):
        loss, accuracy = train_one_epoch(model, train_loader, optimizer, device)
        print(f"epoch {epoch + 1}: train loss {loss:.3f}, accuracy {accuracy:.3f}; "
              f"held-out {evaluate(model, held_loader, device)}", flush=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              "resnet20.safetensors")


if __name__ == "__main__":
    main()
