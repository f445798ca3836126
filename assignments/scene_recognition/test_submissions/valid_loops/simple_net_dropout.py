from collections import OrderedDict

import torch
import torch.nn as nn


class SimpleNetDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 10, kernel_size=(5, 5))),
            ("pool1", nn.MaxPool2d(kernel_size=3)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(10, 20, kernel_size=(5, 5))),
            ("pool2", nn.MaxPool2d(kernel_size=3)),
            ("relu2", nn.ReLU()),
            ("drop1", nn.Dropout(0.2)),
        ]))
        self.fc_layers = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(500, 256)),
            ("relu3", nn.ReLU()),
            ("drop2", nn.Dropout(0.2)),
            ("fc2", nn.Linear(256, 15)),
        ]))
        self.loss_criterion = nn.CrossEntropyLoss(reduction="sum")

    def forward(self, x):
        x = self.cnn_layers(x)
        x = x.view(-1, 500)
        return self.fc_layers(x)
