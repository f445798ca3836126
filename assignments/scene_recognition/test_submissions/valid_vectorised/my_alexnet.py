import os
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torchvision.models import alexnet


def pretrained_weights_path() -> Path | None:
    root = os.environ.get("GRADER_DATA_ROOT")
    if not root:
        return None
    path = Path(root) / "alexnet.safetensors"
    return path if path.is_file() else None


def load_alexnet() -> nn.Module:
    path = pretrained_weights_path()
    if path is None:
        return alexnet()
    with torch.device("meta"):
        model = alexnet()
    model.load_state_dict(load_file(path), assign=True)
    return model


class MyAlexNet(nn.Module):
    def __init__(self, backbone: nn.Module | None = None):
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()
        model.requires_grad_(False)  # the whole backbone is frozen, the new layer is not
        self.cnn_layers = nn.Sequential(model.features, model.avgpool)
        head = nn.Linear(4096, 15)
        self.fc_layers = nn.Sequential(*model.classifier[:-1], head)
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return self.fc_layers(torch.flatten(self.cnn_layers(x), 1))
