"""SimpleNet with batch normalization: 3x3 convolutions, padding 1, 4x4 pooling."""

import torch.nn as nn


def conv_block(channels_in, channels_out):
    return [nn.Conv2d(channels_in, channels_out, kernel_size=3, padding=1),
            nn.BatchNorm2d(channels_out), nn.ReLU(), nn.MaxPool2d(4)]


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(*conv_block(1, 16), *conv_block(16, 32))
        self.fc_layers = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.BatchNorm1d(64), nn.ReLU(),
                                       nn.Linear(64, 15))
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x):
        features = self.cnn_layers(x)
        return self.fc_layers(features.reshape(len(features), -1))
