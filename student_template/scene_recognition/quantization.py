"""Post-training int8 quantization: affine quantization of one tensor, and of a whole model."""

import copy

import torch
from torch import nn
from torch.ao import quantization as tq


def quantize(tensor: torch.Tensor, num_bits: int = 8) -> tuple[torch.Tensor, float, int]:
    """Affine per-tensor quantization of a float tensor to integers in [0, 2**num_bits - 1].

    The range is the tensor's [min, max] widened to contain 0, so that 0 is
    exactly representable: ``low = min(tensor.min(), 0)``, ``high =
    max(tensor.max(), 0)`` (Python floats). ``scale = (high - low) /
    (2**num_bits - 1)``, or 1.0 when that is 0 (an all-zero tensor), and
    ``zero_point = round(-low / scale)``, a Python int. Each element becomes
    ``clamp(round(x / scale) + zero_point, 0, 2**num_bits - 1)``, computed in
    the tensor's dtype with ``torch.round`` (halves to even). Returns
    ``(q, scale, zero_point)`` with ``q`` an int64 tensor of the input's shape.
    """
    # TODO: find the range (containing 0), the scale and zero point, then round and clamp
    raise NotImplementedError("TODO: find the range (containing 0), the scale and zero point, then round and clamp")


def dequantize(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    """The float32 tensor ``(q - zero_point) * scale`` that ``quantize``'s output stands for."""
    # TODO: undo the zero point shift and the scaling
    raise NotImplementedError("TODO: undo the zero point shift and the scaling")


class QuantizableWrapper(nn.Module):
    """``model`` between a ``QuantStub`` and a ``DeQuantStub``: float in, float out.

    Eager-mode quantization converts a float input to int8 at ``quant`` and
    back at ``dequant``; every layer in between runs on quantized tensors.
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.quant = tq.QuantStub()
        self.model = model
        self.dequant = tq.DeQuantStub()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dequant(self.model(self.quant(x)))


def quantize_model(model: nn.Module, calibration_images: torch.Tensor) -> nn.Module:
    """A post-training static int8 copy of a trained SimpleNet, for CPU inference.

    ``model`` is left unchanged. The copy, in eval mode, takes the same
    float (N, 1, 64, 64) batch and returns float (N, 15) logits; its Conv2d and
    Linear layers hold int8 weights and run on int8 activations. Activation
    ranges are calibrated by running ``calibration_images`` (a float batch of
    normalized training images) through it, with the default qconfig of the
    quantized engine in use (``torch.backends.quantized.engine``: x86 or
    fbgemm on Intel/AMD, qnnpack on ARM).
    """
    # TODO: wrap a deep copy in Quant/DeQuant stubs, set a qconfig, prepare, calibrate, convert
    raise NotImplementedError("TODO: wrap a deep copy in Quant/DeQuant stubs, set a qconfig, prepare, calibrate, convert")
