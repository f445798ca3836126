import copy

import torch
import torch.nn as nn


def quantize(tensor, num_bits=8):
    qmin, qmax = 0, 2 ** num_bits - 1
    low = min(tensor.min().item(), 0.0)
    high = max(tensor.max().item(), 0.0)
    scale = (high - low) / (qmax - qmin)
    if scale == 0:
        scale = 1.0
    zero_point = int(round(qmin - low / scale))
    q = torch.round(tensor / scale) + zero_point
    q = q.clamp(qmin, qmax).to(torch.int64)
    return q, scale, zero_point


def dequantize(q, scale, zero_point):
    return scale * (q.float() - zero_point)


class QuantWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant = torch.quantization.QuantStub()
        self.model = model
        self.dequant = torch.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.model(x)
        return self.dequant(x)


def quantize_model(model, calibration_images):
    model_fp32 = QuantWrapper(copy.deepcopy(model))
    model_fp32.eval()
    model_fp32.qconfig = torch.quantization.get_default_qconfig(
        torch.backends.quantized.engine)
    model_prepared = torch.quantization.prepare(model_fp32)
    with torch.no_grad():
        model_prepared(calibration_images)
    model_int8 = torch.quantization.convert(model_prepared)
    return model_int8
