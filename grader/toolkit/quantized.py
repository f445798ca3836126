"""An int8 model as the judge rebuilds it, bound to the behaviour of the student's quantized model.

A quantized model's own account of itself (its ``state_dict()``, its modules) is a
claim: a float model can report int8 weights it never uses. The judge takes the
claim apart instead: the int8 weight of each of its own float net's Conv2d and
Linear layers (within half a quantization step of the float weight), each
layer's bias and output scale and zero point, and the other scale and zero-point
pairs (the input's quantization, and a requantization such as FX inserts around
a ``Flatten``). It builds its own int8 network of the float net's layout from
them (torch's quantized layers, the same kernels) and accepts it only if it
computes what the student's model computes on fresh inputs: the same point of
the output's quantization nearly everywhere (`agrees`). A float model computes
something else, whatever it reports. Sizes and accuracies are then the judge's measurements of its own
rebuild; the student's model is still what is timed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.ao.nn import quantized as nnq

WEIGHTED = ("Conv2d", "Linear")
PASSED_ON = ("ReLU", "MaxPool2d", "Flatten")  # run on quantized tensors as they are
MAX_FREE_PAIRS = 8  # scale and zero-point pairs of no layer: the input's and requantizations
AGREEMENT = 0.99  # share of outputs that must be the rebuild's exactly
PACKED = "_packed_params._packed_params"  # where a quantized Linear keeps (weight, bias)


@dataclass(frozen=True)
class Int8Layer:
    """What a quantized state dict holds for one Conv2d or Linear layer."""

    prefix: str
    weight: torch.Tensor  # quantized (qint8)
    bias: torch.Tensor | None
    scale: float
    zero_point: int


def load_state(data: bytes) -> dict:
    """``torch.load(weights_only=True)`` of saved bytes; any failure is the submission's."""
    try:
        return torch.load(io.BytesIO(data), weights_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever the bytes are, they did not load
        raise AssertionError(f"the quantized model's state dict could not be loaded back with "
                             f"torch.load(weights_only=True): {exc}") from None


def saved_size(state: dict) -> int:
    """The bytes ``torch.save(state)`` writes."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return len(buffer.getvalue())


def step(q: torch.Tensor) -> float:
    """The largest quantization step of a quantized tensor."""
    if q.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        return q.q_per_channel_scales().max().item()
    return q.q_scale()


def _pairs(state: dict) -> dict[str, tuple[float, int]]:
    """Every ``<p>scale`` / ``<p>zero_point`` pair (FX names them ``<p>scale_<n>``), by scale key."""
    found = {}
    for key, value in state.items():
        match = re.fullmatch(r"(.*)scale(_\d+)?", key)
        partner = match and f"{match[1]}zero_point{match[2] or ''}"
        if partner in state and isinstance(value, torch.Tensor) and value.numel() == 1:
            found[key] = (float(value.reshape(-1)[0]), int(state[partner].reshape(-1)[0]))
    return found


def int8_layers(state: dict) -> list[Int8Layer]:
    """The Conv2d-like (``weight``) and Linear-like (packed) int8 layers of a state dict."""
    pairs, layers = _pairs(state), []
    for key, value in state.items():
        if key.endswith(PACKED) and isinstance(value, tuple | list) and len(value) == 2:
            prefix, (weight, bias) = key[:-len(PACKED)], value
        elif key.endswith("weight") and isinstance(value, torch.Tensor):
            prefix, weight = key[:-len("weight")], value
            bias = state.get(prefix + "bias")
        else:
            continue
        if (isinstance(weight, torch.Tensor) and weight.is_quantized
                and weight.dtype == torch.qint8 and prefix + "scale" in pairs):
            layers.append(Int8Layer(prefix, weight, bias, *pairs[prefix + "scale"]))
    return layers


def match_layers(float_net: nn.Module, state: dict) -> tuple[list[Int8Layer], list[str]]:
    """For each Conv2d and Linear of ``float_net`` in order, the int8 layer whose weight stands
    for its float weight (within half a quantization step); and the float layers with none."""
    pool, matched, missing = int8_layers(state), [], []
    for name, module in float_net.named_children():
        if type(module).__name__ not in WEIGHTED:
            continue
        weight = module.weight.detach()
        found = next((layer for layer in pool if layer.weight.shape == weight.shape and
                      (layer.weight.dequantize() - weight).abs().max()
                      <= 0.51 * step(layer.weight) + 1e-6), None)
        if found is None:
            missing.append(f"{name}.weight {tuple(weight.shape)}")
        else:
            pool.remove(found)
            matched.append(found)
    return matched, missing


class _Requantize(nn.Module):
    """A quantized tensor quantized again with another scale and zero point."""

    def __init__(self, scale: float, zero_point: int):
        super().__init__()
        self.scale, self.zero_point = scale, zero_point

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.quantize_per_tensor(x.dequantize(), self.scale, self.zero_point,
                                         torch.quint8)


def build(spec: list, layers: list[Int8Layer], given: tuple[float, int],
          requantize: tuple[int, tuple[float, int]] | None = None) -> nn.Sequential:
    """The int8 network of ``spec``'s layout: the input quantized with ``given``, each weighted
    layer from ``layers``, and ``requantize = (position, pair)`` after the layer at position."""
    modules: list[nn.Module] = [nnq.Quantize(*given, torch.quint8)]
    weighted = iter(layers)
    for position, (name, *args) in enumerate(spec):
        if name in WEIGHTED:
            layer = next(weighted)
            module = getattr(nnq, name)(*args)
            module.set_weight_bias(layer.weight, layer.bias)
            module.scale, module.zero_point = layer.scale, layer.zero_point
        elif name in PASSED_ON:
            module = getattr(nn, name)(*args)
        else:
            raise ValueError(f"no int8 rebuild for a {name} layer")
        modules.append(module)
        if requantize is not None and requantize[0] == position:
            modules.append(_Requantize(*requantize[1]))
    return nn.Sequential(*modules, nnq.DeQuantize()).eval()


def agrees(rebuilt: nn.Sequential, inputs: torch.Tensor, outputs: torch.Tensor) -> bool:
    """``outputs`` are the rebuild's on ``inputs``: the same point of its output quantization
    nearly everywhere (``AGREEMENT``), never a step apart. Another engine's kernels may round
    a few outputs the other way; a float model's outputs fall between the points."""
    step_size = rebuilt[-2].scale  # the last layer's output quantization
    with torch.no_grad():
        error = (rebuilt(inputs) - outputs).abs()
    same = (error <= 0.01 * step_size).double().mean().item()
    return same >= AGREEMENT and error.max().item() <= 1.01 * step_size


def candidates(spec: list, layers: list[Int8Layer], state: dict):
    """Every rebuild the state's free pairs allow: each as the input's quantization, with no
    requantization or one requantization by another after any layer."""
    used = {layer.prefix + "scale" for layer in layers}
    free = [pair for key, pair in _pairs(state).items() if key not in used]
    if len(free) > MAX_FREE_PAIRS:
        raise AssertionError(
            f"the quantized model's state dict holds {len(free)} scale and zero-point pairs "
            "besides its layers'; quantize the float model as it is (QuantStub, DeQuantStub, "
            "prepare, calibrate, convert)")
    for given in free:
        yield build(spec, layers, given)
        for other in free:
            if other != given:
                for position in range(len(spec)):
                    yield build(spec, layers, given, (position, other))


def verified_rebuild(spec: list, float_net: nn.Module, state: dict,
                     forward: Callable[[torch.Tensor], torch.Tensor],
                     inputs: torch.Tensor) -> nn.Sequential:
    """The judge's int8 rebuild of the model ``state`` describes, checked to compute what
    ``forward`` (the student's model) computes on ``inputs``; AssertionError otherwise."""
    layers, missing = match_layers(float_net, state)
    if missing:
        raise AssertionError(
            f"no int8 weights in the quantized model's state dict stand for the float layers "
            f"{missing}: quantize every Conv2d and Linear layer (QuantStub and DeQuantStub "
            "around the model, a qconfig, prepare, calibrate, convert)")
    outputs = forward(inputs)
    with torch.no_grad():
        for rebuilt in candidates(spec, layers, state):
            if agrees(rebuilt, inputs, outputs):
                return rebuilt
    raise AssertionError(
        "the quantized model does not compute what int8 layers with the weights, scales and "
        "zero points of its state dict compute: its Conv2d and Linear layers must run in int8 "
        "(convert the prepared copy), and its state dict must be its own")
