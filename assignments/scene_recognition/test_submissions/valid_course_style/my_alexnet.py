import os
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file
from torchvision.models import alexnet

WEIGHTS_FILE = "alexnet.safetensors"


def pretrained_weights_path():
    root = os.environ.get("GRADER_DATA_ROOT")
    path = Path(root) / WEIGHTS_FILE if root else None
    return path if path is not None and path.is_file() else None


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
        """AlexNet's conv layers and first two linear layers, frozen, and a new last layer.

        Frozen by index, as the course's hint shows: the conv layers are features[0, 3, 6, 8,
        10] and the linear layers classifier[1, 4]. Like the course's forward, the average
        pool is left out: at 224 x 224 AlexNet's features are 6 x 6 already.
        """
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()

        self.cnn_layers = nn.Sequential(*list(model.features.children()))
        self.fc_layers = nn.Sequential(*list(model.classifier.children())[:-1],
                                       nn.Linear(4096, 15))
        for i in [0, 3, 6, 8, 10]:
            self.cnn_layers[i].weight.requires_grad = False
            self.cnn_layers[i].bias.requires_grad = False
        for i in [1, 4]:
            self.fc_layers[i].weight.requires_grad = False
            self.fc_layers[i].bias.requires_grad = False
        self.loss_criterion = nn.CrossEntropyLoss(reduction="sum")

    def forward(self, x):
        model_output = None
        if x.shape[1] == 1:
            x = x.repeat(1, 3, 1, 1)  # as AlexNet accepts color images
        x = self.cnn_layers(x)
        x = x.view(x.size(0), -1)
        model_output = self.fc_layers(x)
        return model_output
