"""Models as plain data, in both directions.

`sequential(spec)` builds a model from a layer spec the judge and the worker
both understand, so the judge computes expected values itself and hands the
worker only what the student's code needs.

`describe_layers(model, ...)` (run in the worker) records the layers a
student's model calls, in call order, with their hyper-parameters and input
shapes; `Structure.verify(...)` (run in the judge) rebuilds a model from that
record with the reported weights and accepts the record only if the rebuilt
model computes what the student's model computes on fresh inputs. Counts,
layer lists and MACs are then the judge's own arithmetic on a model it built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

LAYERS = ("Flatten", "Linear", "Conv2d", "ReLU", "MaxPool2d", "BatchNorm2d", "Dropout")

# Layer types the judge can rebuild, with the attributes that define each one.
REBUILDABLE = {
    "Linear": ("in_features", "out_features", "bias"),
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
               "groups", "bias", "padding_mode"),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "MaxPool2d": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    "AdaptiveAvgPool2d": ("output_size",),
    "Dropout": ("p",),
    "Flatten": ("start_dim", "end_dim"),
    "LeakyReLU": ("negative_slope",),
    "ReLU": (), "Sigmoid": (), "Tanh": (), "SiLU": (), "Identity": (),
}


def sequential(spec: list) -> nn.Sequential:
    """`[["Linear", 4, 2], ["ReLU"]]` -> nn.Sequential(Linear(4, 2), ReLU())."""
    layers = []
    for name, *args in spec:
        if name not in LAYERS:
            raise ValueError(f"layer {name!r} is not one of {LAYERS}")
        layers.append(getattr(nn, name)(*args))
    return nn.Sequential(*layers)


# ---- worker side: what the student's model does -------------------------------------------

def _config(module: nn.Module) -> dict | None:
    fields = REBUILDABLE.get(type(module).__name__)
    if fields is None or type(module).__module__.split(".")[0] != "torch":
        return None
    config = {f: getattr(module, f) for f in fields}
    if "bias" in config:
        config["bias"] = module.bias is not None
    return config


def describe_layers(model: nn.Module, input_size: tuple) -> list[dict]:
    """The leaf layers one eval-mode forward pass calls, in call order (repeats included)."""
    names = {m: name for name, m in model.named_modules()}
    calls = []

    def record(module, inputs, output):
        calls.append({"name": names.get(module, "?"), "type": type(module).__name__,
                      "config": _config(module), "input_shape": list(inputs[0].shape[1:])})

    leaves = [m for m in model.modules() if not list(m.children())]
    hooks = [m.register_forward_hook(record) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(tuple(input_size)))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return calls


# ---- judge side: rebuild, verify, measure ---------------------------------------------------

class _Reshape(nn.Module):
    """The flatten or view a student's forward does between two layers."""

    def __init__(self, shape: list[int]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


class StructureError(AssertionError):
    """The reported layers cannot be rebuilt, or do not compute what the student's model does."""


@dataclass
class Structure:
    """A student's model as the judge rebuilt it from the worker's description."""

    layers: list[dict]      # call order: name, type, config, input_shape
    state: dict             # the reported weights and buffers
    trainable: dict         # parameter name -> requires_grad
    model: nn.Module        # the judge's own model: reshapes and layers, with the weights

    @classmethod
    def rebuild(cls, description: dict) -> Structure:
        layers, state = description["layers"], description["state"]
        built: dict[str, nn.Module] = {}  # one module per name: a reused layer stays shared
        steps: list[nn.Module] = []
        for layer in layers:
            if layer["config"] is None:
                raise StructureError(
                    f"the grader cannot rebuild your layer {layer['name']} "
                    f"({layer['type']}); it rebuilds only these torch.nn layers: "
                    f"{', '.join(REBUILDABLE)}")
            if layer["name"] not in built:
                built[layer["name"]] = _build(layer, state)
            steps += [_Reshape(layer["input_shape"]), built[layer["name"]]]
        return cls(layers, state, description["trainable"], nn.Sequential(*steps).eval())

    def verify(self, forward, inputs: torch.Tensor, *, seed: int, train_forward=None) -> None:
        """Accept the description only if the rebuilt model computes what the student's does.

        `forward(x)` runs the student's model in eval mode. `train_forward(seed, x)` runs
        it in training mode after seeding the worker's RNG, which the judge matches with
        the same seed; with dropout that check binds every layer, dropout rates included,
        and the eval-mode check is added only for what just eval mode uses (batch-norm
        running statistics), so a model whose dropout misbehaves in eval mode still has
        a verifiable structure.
        """
        with torch.no_grad():
            if train_forward is not None and self.has_dropout():
                torch.manual_seed(seed)
                expected = self.model.train()(inputs)
                self.model.eval()
                _same(train_forward(seed, inputs), expected, self.layers, "training")
                if not any(layer["type"].startswith("BatchNorm") for layer in self.layers):
                    return
            _same(forward(inputs), self.model.eval()(inputs), self.layers, "eval")

    def has_dropout(self) -> bool:
        return any(layer["type"] == "Dropout" and layer["config"]["p"] > 0
                   for layer in self.layers)

    def layer_types(self) -> list[str]:
        return [layer["type"] for layer in self.layers]

    def counts(self) -> dict[str, int]:
        """Total, trainable and frozen parameter elements of the reported weights."""
        total = sum(self.state[name].numel() for name in self.trainable)
        trainable = sum(self.state[name].numel() for name, t in self.trainable.items() if t)
        return {"total": total, "trainable": trainable, "frozen": total - trainable}

    def macs(self, input_size: tuple) -> int:
        from grader.toolkit.complexity import analytic_macs

        return analytic_macs(self.model, input_size, count_norm=True)


def _build(layer: dict, state: dict) -> nn.Module:
    config = dict(layer["config"])
    module = getattr(nn, layer["type"])(**config)
    prefix = f"{layer['name']}."
    own = {key[len(prefix):]: value for key, value in state.items()
           if key.startswith(prefix) and "." not in key[len(prefix):]}
    try:
        module.load_state_dict(own)
    except RuntimeError as exc:
        raise StructureError(f"the weights reported for your layer {layer['name']} do not fit "
                             f"a {layer['type']}: {exc}") from None
    return module


def _same(actual, expected: torch.Tensor, layers: list[dict], mode: str) -> None:
    if (not isinstance(actual, torch.Tensor) or actual.shape != expected.shape
            or not torch.allclose(actual.float(), expected, rtol=1e-4, atol=1e-5)):
        order = ", ".join(layer["type"] for layer in layers) or "no layers"
        raise StructureError(
            f"the grader rebuilt your model from the layers its forward pass calls ({order}) "
            f"with your weights, but in {mode} mode that model does not compute what yours "
            "computes on the same inputs. Structure, parameter and cost checks need every "
            "step with weights or randomness to be an nn.Module layer called in forward "
            "(nn.ReLU, nn.Dropout, ... rather than functional calls).")


def verified_structure(submission, model, inputs: torch.Tensor, *, seed: int,
                       to_model=None) -> Structure:
    """The student's ``model`` as the judge rebuilt it, checked against its forward.

    ``submission`` reaches the worker (its ``describe`` and ``manual_seed`` helpers);
    ``inputs`` are fresh judge-made inputs of the rebuilt layers, which the student's
    model gets as ``to_model(inputs)`` (default: as they are; a forward that repeats a
    grayscale channel gets one of the three). The rebuild counts only once it computed
    what the student's model computes on them, in eval mode, and in training mode with
    the worker's RNG seeded like the judge's (``seed``) when there is dropout.
    """
    def forward(x: torch.Tensor):
        return model(to_model(x) if to_model else x)

    def train_forward(seed: int, x: torch.Tensor):
        submission.helpers.manual_seed(seed)
        model.train()
        out = forward(x)
        model.eval()
        return out

    shape = (to_model(inputs) if to_model else inputs).shape
    rebuilt = Structure.rebuild(submission.helpers.describe(model, (1, *shape[1:])))
    model.eval()
    rebuilt.verify(forward, inputs, seed=seed, train_forward=train_forward)
    return rebuilt


# ---- a network in a file: its layer spec and its weights ------------------------------------

def save_network(path, spec, state: dict, dtype: torch.dtype = torch.float32) -> None:
    """Write ``state`` (stored as ``dtype``) to a safetensors file, ``spec`` in its metadata."""
    tensors = {k: v.detach().to(dtype).contiguous() for k, v in state.items()}
    save_file(tensors, str(path), metadata={"spec": json.dumps(spec)})


def load_network(path) -> tuple:
    """(spec, state) of a file ``save_network`` wrote; the weights as float32."""
    with safe_open(str(path), framework="pt") as f:
        state = {key: f.get_tensor(key).float() for key in f.keys()}  # noqa: SIM118 - no __iter__
        return json.loads(f.metadata()["spec"]), state
