"""Pretrained weights under the data root, as the judge hands them to a worker.

A weights source (`grader.toolkit.datasets.sources`, declared in ``[data] weights``) is one
file that `grader prepare` put under the data root, checked against its pinned SHA-256. The
judge reads it here, checks the checksum again (the file is trusted for its bytes, nothing
else), loads it with ``torch.load(weights_only=True)`` (tensors only, no pickled code) and
checks its keys and shapes against the layout the tests build it into. The worker never
reads the data root (the sandbox hides it): tests send the state to a helper that builds
the network from the layout (a spec of `grader.toolkit.layers.sequential`), as they send
any weights.

``LAYOUTS`` names the layout of each weights source: ``alexnet`` is torchvision's AlexNet
(``features``, ``avgpool``, ``classifier``, with its module indices, so the state dict's
keys are torchvision's).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch

from grader.toolkit.datasets import fetch, sources
from grader.toolkit.datasets.base import resolve_data_root

ALEXNET = {
    "features": [["Conv2d", 3, 64, 11, 4, 2], ["ReLU"], ["MaxPool2d", 3, 2],
                 ["Conv2d", 64, 192, 5, 1, 2], ["ReLU"], ["MaxPool2d", 3, 2],
                 ["Conv2d", 192, 384, 3, 1, 1], ["ReLU"], ["Conv2d", 384, 256, 3, 1, 1], ["ReLU"],
                 ["Conv2d", 256, 256, 3, 1, 1], ["ReLU"], ["MaxPool2d", 3, 2]],
    "pool": [6, 6],
    "classifier": [["Dropout", 0.5], ["Linear", 9216, 4096], ["ReLU"], ["Dropout", 0.5],
                   ["Linear", 4096, 4096], ["ReLU"], ["Linear", 4096, 1000]],
}
LAYOUTS = {"alexnet": ALEXNET}


class WeightsError(Exception):
    """Weights that are missing or not what they should be; the message says what to do."""


def layout(spec: dict) -> dict[str, tuple[int, ...]]:
    """{state dict key: shape} of a network laid out as ``spec`` ("features", "pool",
    "classifier"), built on the meta device (no memory for weights)."""
    from grader.toolkit.layers import sequential

    with torch.device("meta"):
        parts = {part: sequential(spec[part]) for part in ("features", "classifier")}
    return {f"{part}.{key}": tuple(value.shape) for part, module in parts.items()
            for key, value in module.state_dict().items()}


def read_state(path: Path, sha256: str | None, spec: dict) -> dict[str, torch.Tensor]:
    """The state dict in ``path``, refused unless its SHA-256 is ``sha256`` (None: not
    checked) and its keys and shapes are those of ``spec``'s network."""
    if sha256 is not None and fetch.sha256_of(path) != sha256:
        raise WeightsError(f"{path} does not match its pinned sha256 {sha256}: fetch it "
                           "again (`grader prepare NAME --download`)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, EOFError, OSError, ValueError) as exc:
        raise WeightsError(f"{path} is not a file of tensors torch.load reads: {exc}") from None
    expected = layout(spec)
    found = {key: tuple(value.shape) for key, value in state.items()
             if isinstance(value, torch.Tensor)} if isinstance(state, dict) else {}
    if found != expected:
        wrong = sorted(set(found.items()) ^ set(expected.items()))[:4]
        raise WeightsError(f"{path}: its tensors are not the layout's ({len(found)} found, "
                           f"{len(expected)} expected; first differences, (key, shape): {wrong})")
    return {key: state[key].float() for key in expected}


def pretrained(name: str, data_root: str | Path | None = None
               ) -> tuple[dict, dict[str, torch.Tensor]]:
    """(layout spec, state dict) of the weights source ``name`` under the data root
    ($GRADER_DATA_ROOT by default), checked against its pinned SHA-256."""
    root = resolve_data_root(data_root)
    remote = sources.BUILT_IN[name].files[0]
    path = fetch.inside(root, remote.path) if root is not None else None
    if path is None or not path.is_file():
        where = path or f"${{GRADER_DATA_ROOT}}/{remote.path}"
        raise WeightsError(f"{name}: no weights at {where}: run `grader prepare NAME "
                           f"--download` for an assignment that declares them ([data] weights "
                           f"= [{name!r}], or a WEIGHTS entry of the dataset it loads)")
    return LAYOUTS[name], read_state(path, remote.sha256, LAYOUTS[name])
