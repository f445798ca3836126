"""Models as plain data, in both directions.

`sequential(spec)` builds a model from a layer spec the judge and the worker
both understand, so the judge computes expected values itself and hands the
worker only what the student's code needs.

`describe_layers(model, ...)` (run in the worker) records the layers a
student's model calls, in call order, with their hyper-parameters and input
shapes; `Structure.verify(...)` (run in the judge) rebuilds a model from that
record with the reported weights and accepts the record only if the rebuilt
model computes what the student's model computes on fresh inputs, with the
reported weights and again with weights the judge draws and loads into the
student's model (`grader.toolkit.drawn`). Counts, layer lists and MACs are then the
judge's own arithmetic on a model it built.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from grader.toolkit.drawn import draw_weights, replace_weights

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
# Layers that only reshape their input or pass it on: a forward may as well call x.flatten(1)
# or nothing, so a list of the layers a model computes with leaves them out.
PASS_THROUGH = ("Flatten", "Identity")
# REBUILDABLE's layers with weights: the only ones a student's model may hold weights in. Any
# other torch.nn layer is rebuilt from its constructor's arguments when it has no weights.
WEIGHTED = ("Linear", "Conv2d", "BatchNorm1d", "BatchNorm2d")
# Constructor arguments that never change what a layer computes: an in-place layer in the
# judge's rebuild would overwrite the inputs it compares on.
SKIPPED_ARGUMENTS = ("inplace", "device", "dtype")
# What a class of the student's own without weights, or a functional step of the forward
# (F.relu, torch.sigmoid, ...), may compute: the judge matches it by behaviour to one of these
# (an identity up to a reshape first; LeakyReLU's slope is fitted).
ELEMENTWISE = (nn.ReLU6, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish, nn.Sigmoid,
               nn.Tanh, nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid, nn.Softplus, nn.Softsign,
               nn.Tanhshrink, nn.LogSigmoid)


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
    """The arguments that rebuild ``module``, or None: not a torch.nn layer the judge rebuilds."""
    if type(module).__module__.split(".")[0] != "torch":
        return None
    fields = REBUILDABLE.get(type(module).__name__)
    if fields is None:
        return _constructor_arguments(module) if _parameter_free(module) else None
    config = {f: getattr(module, f) for f in fields}
    if "bias" in config:
        config["bias"] = module.bias is not None
    return config


def _parameter_free(module: nn.Module) -> bool:
    return next(module.parameters(), None) is None and next(module.buffers(), None) is None


def _plain(value) -> bool:
    if isinstance(value, tuple | list):
        return all(type(v) in (bool, int, float) for v in value)
    return value is None or type(value) in (bool, int, float, str)


def _constructor_arguments(module: nn.Module) -> dict | None:
    """A torch.nn layer's constructor arguments, read back from the attributes torch keeps them
    in (``Dropout2d.p``, ``GELU.approximate``, ``Softmax.dim``); None if one cannot be."""
    arguments = {}
    signature = inspect.signature(type(module).__init__)
    for name, parameter in list(signature.parameters.items())[1:]:
        if (parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
                or name in SKIPPED_ARGUMENTS):
            continue
        value = getattr(module, name, parameter.default)
        if value is inspect.Parameter.empty or not _plain(value):
            return None
        arguments[name] = value
    return arguments


def _value(tensor) -> torch.Tensor | None:
    """A copy of a float tensor a layer took or gave (a later in-place layer may change it)."""
    if not isinstance(tensor, torch.Tensor) or tensor.is_meta or not tensor.is_floating_point():
        return None
    return tensor.detach().to("cpu", copy=True)


def _same_values(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    """Whether ``b`` is ``a`` up to a reshape (or either is unknown)."""
    return (a is None or b is None
            or (a.numel() == b.numel() and torch.equal(a.reshape(-1), b.reshape(-1))))


def describe_layers(model: nn.Module, input_size: tuple) -> list[dict]:
    """The leaf layers one eval-mode forward pass calls, in call order (repeats included).

    The pass runs on a seeded random input (zeros on the meta device). What the judge must
    match by behaviour comes with its values: ``probe`` (input, output) for a parameter-free
    layer it cannot rebuild from a config (a class of the student's own), ``gap`` for a step
    of the forward between the previous layer's output (or the model's input) and this
    layer's input that is not a reshape (``F.relu(x)``), ``gap_after`` on the last layer for
    one between its output and the model's output.
    """
    names = {m: name for name, m in model.named_modules()}
    calls, modules, values, open_calls = [], [], [], []

    def enter(module, inputs):
        open_calls.append(len(calls))
        calls.append({"name": names.get(module, "?"), "type": type(module).__name__,
                      "config": _config(module), "input_shape": list(inputs[0].shape[1:])})
        modules.append(module)
        values.append([_value(inputs[0]), None])

    def leave(module, inputs, output):
        values[open_calls.pop()][1] = _value(output)

    leaves = [m for m in model.modules() if not list(m.children())]
    hooks = [hook for m in leaves
             for hook in (m.register_forward_pre_hook(enter), m.register_forward_hook(leave))]
    was_training = model.training
    x = torch.zeros(tuple(input_size))
    if not x.is_meta:
        x = torch.randn(tuple(input_size), generator=torch.Generator().manual_seed(0))
    try:
        model.eval()
        with torch.no_grad():
            output = model(x)
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    _note_behaviour(calls, modules, values, _value(x), _value(output))
    return calls


def _note_behaviour(calls: list[dict], modules: list[nn.Module], values: list, first, last):
    previous = first
    for call, module, (taken, given) in zip(calls, modules, values, strict=True):
        if not _same_values(previous, taken):
            call["gap"] = {"input": previous, "output": taken}
        if call["config"] is None and _parameter_free(module) and taken is not None:
            call["probe"] = {"input": taken, "output": given}
        previous = given
    if calls and not _same_values(previous, last):
        calls[-1]["gap_after"] = {"input": previous, "output": last}


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
    named: dict             # the student's layer name -> the judge's module for it

    @classmethod
    def rebuild(cls, description: dict) -> Structure:
        layers, state = description["layers"], description["state"]
        built: dict[str, nn.Module] = {}  # one module per name: a reused layer stays shared
        steps: list[nn.Module] = []
        for layer in layers:
            steps += _functional_step(layer.get("gap"))
            if layer["name"] not in built:
                built[layer["name"]] = _layer(layer, state)
            steps += [_Reshape(layer["input_shape"]), built[layer["name"]]]
        if layers:
            steps += _functional_step(layers[-1].get("gap_after"))
        rebuilt = [_as_rebuilt(layer, built[layer["name"]]) for layer in layers]
        return cls(rebuilt, state, description["trainable"], nn.Sequential(*steps).eval(), built)

    def draw_weights(self, generator: torch.Generator) -> dict:
        """Give the rebuild's layers weights drawn from ``generator`` (`draw_weights`); return
        the reported state with them in place, under the student's names, to load into the
        student's model."""
        draw_weights(self.model, generator)
        return replace_weights(self.state, {
            f"{name}.{key}": value.clone() for name, module in self.named.items()
            for key, value in module.state_dict().items()})

    def verify(self, forward, inputs: torch.Tensor, *, seed: int, train_forward=None,
               weights: str = "your weights") -> None:
        """Accept the description only if the rebuilt model computes what the student's does.

        `forward(x)` runs the student's model in eval mode. `train_forward(seed, x)` runs
        it in training mode after seeding the worker's RNG, which the judge matches with
        the same seed; with dropout that check binds every layer, dropout rates included,
        and the eval-mode check is added only for what just eval mode uses (batch-norm
        running statistics), so a model whose dropout misbehaves in eval mode still has
        a verifiable structure. ``weights`` says whose weights the rebuild holds.
        """
        with torch.no_grad():
            if train_forward is not None and self.has_dropout():
                torch.manual_seed(seed)
                expected = self.model.train()(inputs)
                self.model.eval()
                _same(train_forward(seed, inputs), expected, self.layers, "training", weights)
                if not any(layer["type"].startswith("BatchNorm") for layer in self.layers):
                    return
            _same(forward(inputs), self.model.eval()(inputs), self.layers, "eval", weights)

    def has_dropout(self) -> bool:
        """Whether a layer is random in training mode (Dropout, Dropout2d, AlphaDropout, ...)."""
        return any("Dropout" in layer["type"] and layer["config"].get("p", 0) > 0
                   for layer in self.layers)

    def layer_types(self) -> list[str]:
        """The types of the layers that compute, in call order (``PASS_THROUGH`` ones left out).

        ``layers`` keeps every call; this list is the one to compare with a specification,
        which a student meets with ``nn.Flatten`` as well as with ``x.flatten(1)``.
        """
        return [layer["type"] for layer in self.layers if layer["type"] not in PASS_THROUGH]

    def counts(self) -> dict[str, int]:
        """Total, trainable and frozen parameter elements of the reported weights."""
        total = sum(self.state[name].numel() for name in self.trainable)
        trainable = sum(self.state[name].numel() for name, t in self.trainable.items() if t)
        return {"total": total, "trainable": trainable, "frozen": total - trainable}

    def macs(self, input_size: tuple) -> int:
        from grader.toolkit.complexity import analytic_macs

        return analytic_macs(self.model, input_size, count_norm=True)


def _layer(layer: dict, state: dict) -> nn.Module:
    """The judge's module for one reported layer: built from its config, or else matched by
    what it computed (a parameter-free class of the student's own)."""
    if layer["config"] is not None:
        return _build(layer, state)
    probe = layer.get("probe")
    found = identify(probe["input"], probe["output"]) if probe else None
    if found is None:
        raise StructureError(_cannot_rebuild(layer, probe is not None))
    return found


def _cannot_rebuild(layer: dict, parameter_free: bool) -> str:
    where = f"your layer {layer['name']} ({layer['type']})"
    if parameter_free:
        return (f"{where} has no weights, so the grader rebuilds it by what it computes, but "
                "that matched no parameter-free torch.nn layer (a reshape, nn.ReLU, "
                f"nn.LeakyReLU, {', '.join(f'nn.{c.__name__}' for c in ELEMENTWISE)}, "
                "nn.Softmax and nn.LogSoftmax over dimension 1): use the torch.nn layer that "
                "computes it; a random layer (a dropout of your own) cannot be matched, use "
                "nn.Dropout")
    return (f"the grader cannot rebuild {where}: a layer with weights must be one of "
            f"{', '.join(f'nn.{name}' for name in WEIGHTED)}; any other torch.nn layer, or a "
            "class of your own, is rebuilt only when it has no weights")


def _torch_layer(name: str, config: dict) -> nn.Module:
    """``torch.nn.<name>(**config)`` for a parameter-free layer class of torch.nn (no container)."""
    cls = getattr(nn, name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)
            and cls.__module__.startswith("torch.nn.modules.")
            and cls.__module__ != "torch.nn.modules.container"):
        raise StructureError(f"{name} is not a torch.nn layer the grader can rebuild")
    try:
        with torch.device("meta"):  # a layer with weights allocates none here
            shell = cls(**config)
    except (TypeError, ValueError) as exc:
        raise StructureError(f"the grader cannot rebuild nn.{name}({config}): {exc}") from None
    if not _parameter_free(shell):
        raise StructureError(f"nn.{name} has weights: only {', '.join(WEIGHTED)} may")
    return cls(**config)


def identify(source: torch.Tensor | None, target: torch.Tensor | None) -> nn.Module | None:
    """A parameter-free torch.nn layer that maps ``source`` to ``target`` up to a reshape
    (nn.Identity for a reshape alone), or None when none of the candidates does."""
    if (source is None or target is None or source.numel() != target.numel()
            or source.numel() == 0):
        return None
    x, y = source.reshape(target.shape).float(), target.float()
    return next((layer for layer in _candidates(x, y) if _computes(layer, x, y)), None)


def _candidates(x: torch.Tensor, y: torch.Tensor) -> list[nn.Module]:
    negative = x < 0
    slope = (y[negative] / x[negative]).median().item() if negative.any() else 0.01
    return [nn.Identity(), nn.ReLU(), nn.LeakyReLU(slope), *(cls() for cls in ELEMENTWISE),
            nn.GELU(approximate="tanh"), nn.Softmax(dim=1), nn.LogSoftmax(dim=1)]


def _computes(layer: nn.Module, x: torch.Tensor, y: torch.Tensor) -> bool:
    try:
        with torch.no_grad():
            return bool(torch.allclose(layer(x), y, rtol=1e-4, atol=1e-5))
    except (RuntimeError, IndexError):  # Softmax(dim=1) of a 1-D tensor
        return False


def _functional_step(gap: dict | None) -> list[nn.Module]:
    """What the forward computes between two layers without a layer (``F.relu(x)``), when the
    judge can tell; otherwise nothing, and verification says whether that was right."""
    found = identify(gap["input"], gap["output"]) if gap else None
    if found is None or isinstance(found, nn.Identity):
        return []
    return [_Reshape(list(gap["output"].shape[1:])), found]


def _as_rebuilt(layer: dict, module: nn.Module) -> dict:
    """A reported layer as the structure lists it: without the values it was matched on; a
    class of the student's own under the torch.nn type it computes (``written_as``: its own)."""
    plain = {key: value for key, value in layer.items()
             if key not in ("probe", "gap", "gap_after")}
    if layer["config"] is None:
        plain.update(type=type(module).__name__, config=_config(module),
                     written_as=layer["type"])
    return plain


def _build(layer: dict, state: dict) -> nn.Module:
    config = dict(layer["config"])
    if layer["type"] not in REBUILDABLE:
        return _torch_layer(layer["type"], config)
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


def _same(actual, expected: torch.Tensor, layers: list[dict], mode: str, weights: str) -> None:
    if (not isinstance(actual, torch.Tensor) or actual.shape != expected.shape
            or not torch.allclose(actual.float(), expected, rtol=1e-4, atol=1e-5)):
        order = ", ".join(layer["type"] for layer in layers) or "no layers"
        raise StructureError(
            f"the grader rebuilt your model from the layers its forward pass calls ({order}) "
            f"with {weights}, but in {mode} mode that model does not compute what yours "
            "computes on the same inputs. Structure, parameter and cost checks need every "
            "step with weights or randomness to be an nn.Module layer called in forward "
            "(nn.Linear, nn.Dropout, ... rather than functional calls); a parameter-free "
            "functional step (F.relu, torch.sigmoid, x.view) is matched by what it computes.")


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
    description = submission.helpers.describe(model, (1, *shape[1:]))
    rebuilt = Structure.rebuild(description)
    model.eval()
    rebuilt.verify(forward, inputs, seed=seed, train_forward=train_forward)
    # The reported weights could be chosen to fit a model that ignores them (all zeros fit
    # one that outputs zeros): the rebuild must also hold with weights the judge draws,
    # loaded into the student's model. Then the student's own weights go back.
    drawn = Structure.rebuild(description)
    submission.helpers.load_state(model, drawn.draw_weights(torch.Generator().manual_seed(seed)))
    drawn.verify(forward, inputs, seed=seed, train_forward=train_forward,
                 weights="weights the grader drew and loaded into your model")
    submission.helpers.load_state(model, description["state"])
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
