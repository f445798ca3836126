import copy

import torch
from torch import nn
from torch.ao import quantization


def quantize(tensor, num_bits=8):
    top = 2**num_bits - 1
    lo = min(tensor.min().item(), 0)
    hi = max(tensor.max().item(), 0)
    scale = float(hi - lo) / top
    if scale == 0.0:
        scale = 1.0
    zero_point = int(round(-lo / scale))
    values = torch.round(tensor / scale) + zero_point
    return torch.clamp(values, min=0, max=top).type(torch.int64), scale, zero_point


def dequantize(q, scale, zero_point):
    return ((q - zero_point) * scale).float()


def quantize_model(model, calibration_images):
    wrapped = nn.Sequential(quantization.QuantStub(), copy.deepcopy(model),
                            quantization.DeQuantStub())
    wrapped.eval()
    wrapped.qconfig = quantization.get_default_qconfig(torch.backends.quantized.engine)
    quantization.prepare(wrapped, inplace=True)
    with torch.no_grad():
        for batch in calibration_images.split(64):
            wrapped(batch)
    quantization.convert(wrapped, inplace=True)
    return wrapped
