import os
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torchvision.models import alexnet


def pretrained_weights_path():
    root = os.environ.get("GRADER_DATA_ROOT")
    if root and Path(root, "alexnet.safetensors").is_file():
        return Path(root, "alexnet.safetensors")
    return None


def load_alexnet():
    path = pretrained_weights_path()
    if path is None:
        return alexnet(weights=None)
    with torch.device("meta"):
        model = alexnet(weights=None)
    model.load_state_dict(load_file(path), assign=True)
    return model


class MyAlexNet(nn.Module):
    def __init__(self, backbone=None):
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()
        model.features.requires_grad_(False)
        model.classifier.requires_grad_(False)
        self.cnn_layers = nn.Sequential(*model.features, model.avgpool)
        self.fc_layers = nn.Sequential(*model.classifier)
        self.fc_layers[-1] = nn.Linear(4096, 15)
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x):
        rgb = x.expand(-1, 3, -1, -1) if x.size(1) == 1 else x
        return self.fc_layers(torch.flatten(self.cnn_layers(rgb), start_dim=1))
