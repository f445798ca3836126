"""MNIST models with helper methods and attributes of their own (as in the 60-minute blitz)."""

import torch
import torch.nn as nn


class LogisticRegression(nn.Module):
    def __init__(self):
        super(LogisticRegression, self).__init__()
        self.input_dim = 28 * 28
        self.num_classes = 10
        self.linear = nn.Linear(self.input_dim, self.num_classes)

    def forward(self, x):
        x = x.reshape(-1, self.input_dim)
        return self.linear(x)

    def predict(self, x):
        """Class indices, for my own notebook."""
        return self.forward(x).argmax(dim=1)


class SimpleFC(nn.Module):
    def __init__(self, dropout=0.0):
        super(SimpleFC, self).__init__()
        self.dropout_rate = dropout
        self.sizes = [784, 512, 256, 128, 10]
        self.fc_layers = nn.Sequential(
            nn.Linear(self.sizes[0], self.sizes[1]),
            nn.ReLU(),
            nn.Dropout(p=self.dropout_rate),
            nn.Linear(self.sizes[1], self.sizes[2]),
            nn.ReLU(),
            nn.Dropout(p=self.dropout_rate),
            nn.Linear(self.sizes[2], self.sizes[3]),
            nn.ReLU(),
            nn.Dropout(p=self.dropout_rate),
            nn.Linear(self.sizes[3], self.sizes[4]),
        )

    def forward(self, x):
        x = x.view(-1, self.num_flat_features(x))
        return self.fc_layers(x)

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features

    def extra_repr(self):
        return f"dropout={self.dropout_rate}"


class SimpleCNN(nn.Module):
    def __init__(self, batch_norm=False):
        super(SimpleCNN, self).__init__()
        self.use_bn = batch_norm
        modules = [
            nn.Conv2d(in_channels=1, out_channels=32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]
        if self.use_bn:
            modules.append(nn.BatchNorm2d(32))
        modules.extend([
            nn.Conv2d(in_channels=32, out_channels=64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ])
        self.conv_layers = nn.Sequential(*modules)
        self.fc = nn.Linear(in_features=64 * 7 * 7, out_features=10)

    def features(self, x):
        return self.conv_layers(x)

    def forward(self, x):
        x = self.features(x)
        x = x.view(-1, self.num_flat_features(x))
        return self.fc(x)

    def num_flat_features(self, x):
        num = 1
        for s in x.size()[1:]:
            num *= s
        return num
