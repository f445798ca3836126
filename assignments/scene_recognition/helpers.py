"""Worker-side helpers of scene_recognition: files to read, models to build, a training step.

Each public function runs in the worker, next to the student's code, as
``submission.helpers.<name>(...)``. What they return is a claim: the tests
bind it to behaviour (pixels against the judge's own decoding of the same
bytes, weights against outputs on fresh inputs) before grading anything.
"""

import io
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np
import torch
import torch.nn.functional as F
from torchvision import transforms

from grader.toolkit.layers import describe_layers, sequential


def write_files(files: dict) -> str:
    """Write ``{relative path: file bytes as a uint8 array}`` into a fresh private folder.

    Returns the folder. Paths are relative and stay inside it.
    """
    root = Path(tempfile.mkdtemp(prefix="grader-images-"))
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"not a relative path inside the folder: {name!r}")
        path = root.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(np.asarray(data, dtype=np.uint8).tobytes())
    return str(root)


def set_dataset(loader, pairs: list) -> None:
    """Give an ImageLoader the judge's ``(path, label)`` pairs as ``self.dataset``, the list
    its ``__len__`` and ``__getitem__`` read."""
    loader.dataset = [(str(path), int(label)) for path, label in pairs]


def pixels(image) -> dict:
    """A PIL image as data: its mode and its pixels."""
    return {"mode": image.mode, "pixels": np.asarray(image)}


def pil_to_tensor():
    """``transforms.PILToTensor()``: a PIL image as a uint8 tensor, C x H x W, values untouched."""
    return transforms.PILToTensor()


def with_loss_criterion(model, reduction: str):
    """``model`` with ``model.loss_criterion = nn.CrossEntropyLoss(reduction=reduction)``.

    Set as a plain attribute, not a sub-module: an ``nn.Sequential`` would call it as a layer.
    """
    object.__setattr__(model, "loss_criterion", torch.nn.CrossEntropyLoss(reduction=reduction))
    return model


def alexnet_like(spec: dict, state: dict | None = None) -> torch.nn.Module:
    """A network laid out like torchvision's AlexNet (``features``, ``avgpool``, ``classifier``).

    ``spec``: ``{"features": [...], "pool": [h, w], "classifier": [...]}``, layer
    specs of ``grader.toolkit.layers.sequential``; ``state``: its weights (None: random).
    """
    model = torch.nn.Module()
    model.features = sequential(spec["features"])
    model.avgpool = torch.nn.AdaptiveAvgPool2d(tuple(spec["pool"]))
    model.classifier = sequential(spec["classifier"])
    if state is not None:
        model.load_state_dict(state)
    return model


def layers_on_meta(factory, input_size: tuple) -> dict:
    """``factory()`` built on the meta device (shapes only: no memory for weights), as data:
    the layers one forward pass calls, and each parameter's trainable flag."""
    with torch.device("meta"):
        model = factory()
        return {"layers": describe_layers(model, input_size),
                "trainable": {name: p.requires_grad for name, p in model.named_parameters()}}


def sgd_step(model, images: torch.Tensor, labels: torch.Tensor, lr: float) -> None:
    """One training step: cross-entropy, SGD over ``model.parameters()``; the model ends in eval mode.

    Parameters with ``requires_grad=False`` get no gradient, so SGD leaves them as they
    are; when every parameter is frozen, nothing changes.
    """
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    if loss.requires_grad:
        loss.backward()
        optimizer.step()
    model.eval()


def saved_state(model) -> np.ndarray:
    """The bytes ``torch.save(model.state_dict(), file)`` writes, as a uint8 array."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)
