import os
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file
from torchvision.models import alexnet


def pretrained_weights_path():
    root = os.environ.get("GRADER_DATA_ROOT")
    if root is None or root == "":
        return None
    path = Path(root) / "alexnet.safetensors"
    if path.is_file():
        return path
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
        cnn = []
        for layer in model.features:
            cnn.append(layer)
        cnn.append(model.avgpool)
        self.cnn_layers = nn.Sequential(*cnn)
        fc = []
        for layer in model.classifier:
            fc.append(layer)
        fc[-1] = nn.Linear(4096, 15)
        self.fc_layers = nn.Sequential(*fc)
        for layer in list(self.cnn_layers) + list(self.fc_layers)[:-1]:
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                layer.weight.requires_grad = False
                layer.bias.requires_grad = False
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x):
        if x.shape[1] == 1:
            x = torch.cat((x, x, x), 1)
        x = self.cnn_layers(x)
        x = x.view(x.shape[0], -1)
        return self.fc_layers(x)
