"""MyAlexNet: AlexNet's pretrained features with a new 15-class last layer.

Pretrained weights are never downloaded: they are read from a local
safetensors file (an explicit path, else ``$GRADER_DATA_ROOT/alexnet.safetensors``)
when there is one; otherwise the network starts from random weights.
"""

import os
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torchvision.models import alexnet

WEIGHTS_FILE = "alexnet.safetensors"


def pretrained_weights_path() -> Path | None:
    """``$GRADER_DATA_ROOT/alexnet.safetensors`` if the variable is set and the file exists, else None."""
    root = os.environ.get("GRADER_DATA_ROOT")
    path = Path(root) / WEIGHTS_FILE if root else None
    return path if path is not None and path.is_file() else None


class MyAlexNet(nn.Module):
    """AlexNet fine-tuned for 15 scene classes: only its last layer trains.

    ``cnn_layers`` (an ``nn.Sequential``): AlexNet's ``features`` then its
    ``avgpool``, giving (N, 256, 6, 6). ``fc_layers`` (an ``nn.Sequential``):
    AlexNet's ``classifier`` with its last layer replaced by
    ``nn.Linear(4096, 15)``. Every parameter of the conv layers and of the
    first two linear layers is frozen (``requires_grad=False``); the new last
    layer's 61,455 parameters are the only trainable ones (57,003,840 frozen).
    ``loss_criterion``: ``nn.CrossEntropyLoss(reduction="mean")``.

    ``weights_path``: a safetensors file with torchvision AlexNet's state dict;
    None looks for ``pretrained_weights_path()`` and, failing that, keeps
    torchvision's random initialization.
    """

    def __init__(self, weights_path: str | os.PathLike | None = None):
        super().__init__()
        model = alexnet(weights=None)
        path = weights_path or pretrained_weights_path()
        if path is not None:
            model.load_state_dict(load_file(path))
        # BEGIN SOLUTION
        # TODO: build cnn_layers and fc_layers from `model`, replace the last layer, freeze the rest
        self.cnn_layers = nn.Sequential(model.features, model.avgpool)
        self.fc_layers = nn.Sequential(*list(model.classifier)[:-1], nn.Linear(4096, 15))
        for param in self.parameters():
            param.requires_grad = False
        for param in self.fc_layers[-1].parameters():
            param.requires_grad = True
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) normalized grayscale images -> (N, 15) logits.

        The single channel is repeated to the three channels AlexNet expects
        (a (N, 3, H, W) batch is also accepted as is). H and W must be at
        least 63; the course feeds 224 x 224.
        """
        # BEGIN SOLUTION
        # TODO: repeat the channel to 3, apply cnn_layers, flatten, apply fc_layers
        x = x.expand(-1, 3, -1, -1)
        return self.fc_layers(self.cnn_layers(x).flatten(1))
        # END SOLUTION
