"""MyAlexNet: AlexNet's pretrained layers, frozen, with a new 15-class last layer.

Pretrained weights are never downloaded: they are read from a local
safetensors file (``$GRADER_DATA_ROOT/alexnet.safetensors``, torchvision
AlexNet's state dict) when there is one; otherwise AlexNet starts from random
weights. Any network laid out like torchvision's AlexNet can stand in for it
(``backbone``): the grader fine-tunes a small pretrained one.
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


def load_alexnet() -> nn.Module:
    """torchvision's AlexNet with the pretrained weights of ``pretrained_weights_path()``, if any.

    The weights are loaded into an AlexNet built without memory of its own
    (the meta device), so that only one copy of its 61 million parameters exists.
    """
    path = pretrained_weights_path()
    if path is None:
        return alexnet(weights=None)
    with torch.device("meta"):
        model = alexnet(weights=None)
    model.load_state_dict(load_file(path), assign=True)
    return model


class MyAlexNet(nn.Module):
    """AlexNet fine-tuned for 15 scene classes: only its new last layer trains.

    ``backbone``: a network laid out like torchvision's AlexNet: ``features``
    (convolutions), ``avgpool`` and ``classifier`` (an ``nn.Sequential`` whose
    last layer is an ``nn.Linear`` from 4096 features); None: ``load_alexnet()``.

    ``cnn_layers`` (an ``nn.Sequential``): the backbone's ``features`` then its
    ``avgpool`` (which may be left out, as in the course: at AlexNet's 224 x 224,
    and on the grader's backbones at 64 x 64, the features come out at the
    pool's size). ``fc_layers`` (an ``nn.Sequential``): the backbone's
    ``classifier`` with its last layer replaced by ``nn.Linear(4096, 15)``.
    Every parameter of the backbone's layers is frozen
    (``requires_grad=False``); the new last layer's are the only trainable ones:
    with AlexNet, 61,455 trainable and 57,003,840 frozen. Any backbone keeps
    torchvision AlexNet's module indices: its convolutions are
    ``features[0, 3, 6, 8, 10]``, its linear layers ``classifier[1, 4, 6]``.
    ``loss_criterion``: ``nn.CrossEntropyLoss(reduction="mean")`` (or "sum").
    """

    def __init__(self, backbone: nn.Module | None = None):
        super().__init__()
        model = backbone if backbone is not None else load_alexnet()
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
        (a (N, 3, H, W) batch is also accepted as is). With AlexNet, H and W
        must be at least 63; the course feeds 224 x 224, the grader 64 x 64.
        """
        # BEGIN SOLUTION
        # TODO: repeat the channel to 3, apply cnn_layers, flatten, apply fc_layers
        x = x.expand(-1, 3, -1, -1)
        return self.fc_layers(self.cnn_layers(x).flatten(1))
        # END SOLUTION
