"""SimpleNetDropout: SimpleNet's batch-normalized layers with dropout before the last layer."""

import torch.nn as nn

from simple_net import SimpleNet


class SimpleNetDropout(SimpleNet):
    def __init__(self):
        super().__init__()
        self.fc_layers = nn.Sequential(nn.Linear(512, 64), nn.BatchNorm1d(64), nn.ReLU(),
                                       nn.Dropout(0.5), nn.Linear(64, 15))
