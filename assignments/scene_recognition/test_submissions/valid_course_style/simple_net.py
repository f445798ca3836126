import torch
import torch.nn as nn


class SimpleNet(nn.Module):
    def __init__(self):
        """Init function to define the layers and loss function.

        The non-linearities follow the convolutions; the two linear layers come one
        after the other, as many course submissions have them.
        """
        super().__init__()
        self.cnn_layers = nn.Sequential()
        self.fc_layers = nn.Sequential()
        self.loss_criterion = None

        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, kernel_size=5, stride=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=3),
            nn.Conv2d(10, 20, kernel_size=5, stride=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=3),
        )
        self.fc_layers = nn.Sequential(
            nn.Linear(500, 100),
            nn.Linear(100, 15),
        )
        self.loss_criterion = nn.CrossEntropyLoss(reduction="sum")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        model_output = None
        x = self.cnn_layers(x)
        x = x.view(x.size(0), -1)
        model_output = self.fc_layers(x)
        return model_output
