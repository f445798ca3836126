import os
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torchvision.models import alexnet


def pretrained_weights_path():
    root = os.environ.get("GRADER_DATA_ROOT")
    candidate = Path(root) / "alexnet.safetensors" if root else None
    return candidate if candidate and candidate.is_file() else None


def load_alexnet():
    weights = pretrained_weights_path()
    if weights is None:
        return alexnet(weights=None)
    with torch.device("meta"):
        model = alexnet(weights=None)
    model.load_state_dict(load_file(weights), assign=True)
    return model


class MyAlexNet(nn.Module):
    def __init__(self, backbone=None):
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()
        model.classifier[6] = nn.Linear(4096, 15)
        self.cnn_layers = nn.Sequential(model.features, model.avgpool)
        self.fc_layers = model.classifier
        for name, param in self.named_parameters():
            param.requires_grad = name.startswith("fc_layers.6.")
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")

    def forward(self, x):
        x = x.repeat(1, 3 // x.shape[1], 1, 1)
        x = self.cnn_layers(x)
        return self.fc_layers(x.flatten(1))
