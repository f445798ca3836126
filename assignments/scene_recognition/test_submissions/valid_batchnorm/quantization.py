import copy

import torch
from torch.ao import quantization as tq


def quantize(tensor, num_bits=8):
    q_max = (1 << num_bits) - 1
    low = min(0.0, tensor.min().item())
    high = max(0.0, tensor.max().item())
    scale = (high - low) / q_max
    scale = scale if scale > 0 else 1.0
    zero_point = round(-low / scale)
    q = torch.round(tensor / scale).add(zero_point).clamp(0, q_max).to(torch.int64)
    return q, scale, zero_point


def dequantize(q, scale, zero_point):
    return q.sub(zero_point).float().mul(scale)


def _calibrate(model, images):
    with torch.no_grad():
        model(images)


def quantize_model(model, calibration_images):
    wrapped = tq.QuantWrapper(copy.deepcopy(model))
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    return tq.quantize(wrapped, _calibrate, [calibration_images])
