"""Affine quantization, and post-training static quantization in FX graph mode."""

import copy

import torch
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx


def quantize(tensor: torch.Tensor, num_bits: int = 8):
    levels = 2**num_bits - 1
    low, high = min(float(tensor.min()), 0.0), max(float(tensor.max()), 0.0)
    scale = (high - low) / levels if high > low else 1.0
    zero_point = round(-low / scale)
    q = (torch.round(tensor / scale) + zero_point).clamp(0, levels)
    return q.long(), scale, zero_point


def dequantize(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    return (q - zero_point).to(torch.float32) * scale


def quantize_model(model: torch.nn.Module, calibration_images: torch.Tensor) -> torch.nn.Module:
    float_copy = copy.deepcopy(model).eval()
    mapping = get_default_qconfig_mapping(torch.backends.quantized.engine)
    prepared = prepare_fx(float_copy, mapping, example_inputs=(calibration_images[:1],))
    with torch.inference_mode():
        prepared(calibration_images)
    return convert_fx(prepared)
