"""MyAlexNet with a Flatten module of my own between the conv and the linear parts."""

import os
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torchvision.models import alexnet


def pretrained_weights_path():
    folder = os.environ.get("GRADER_DATA_ROOT")
    if folder and (Path(folder) / "alexnet.safetensors").is_file():
        return Path(folder) / "alexnet.safetensors"
    return None


def load_alexnet():
    path = pretrained_weights_path()
    if path is None:
        return alexnet(weights=None)
    with torch.device("meta"):
        net = alexnet(weights=None)
    net.load_state_dict(load_file(path), assign=True)
    return net


class Flatten(nn.Module):
    def forward(self, x):
        return x.flatten(start_dim=1)


class MyAlexNet(nn.Module):
    def __init__(self, backbone=None):
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()
        for param in model.parameters():
            param.requires_grad = False
        self.cnn_layers = nn.Sequential(*model.features, model.avgpool)
        self.flatten = Flatten()
        layers = list(model.classifier)
        layers[-1] = nn.Linear(layers[-1].in_features, 15)
        self.fc_layers = nn.Sequential(*layers)
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x):
        x = torch.cat([x, x, x], dim=1) if x.size(1) == 1 else x
        return self.fc_layers(self.flatten(self.cnn_layers(x)))
