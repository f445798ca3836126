"""SimpleNetDropout with its own Reshape module and a LeakyReLU written by hand."""

import torch
from torch import nn


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class MyLeakyReLU(nn.Module):
    def __init__(self, slope=0.05):
        super().__init__()
        self.slope = slope

    def forward(self, x):
        return torch.where(x > 0, x, self.slope * x)


class SimpleNetDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.MaxPool2d(3), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.MaxPool2d(3), nn.ReLU(),
            Reshape(500),
        )
        self.fc_layers = nn.Sequential(nn.Dropout(0.4), nn.Linear(500, 100), MyLeakyReLU(),
                                       nn.Linear(100, 15))
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")

    def forward(self, x):
        return self.fc_layers(self.cnn_layers(x))
