import copy

import torch
from torch.ao.quantization import (DeQuantStub, QuantStub, convert, get_default_qconfig,
                                   prepare)


def quantize(tensor, num_bits=8):
    n_levels = 2**num_bits - 1
    low = min(tensor.min().item(), 0.0)
    high = max(tensor.max().item(), 0.0)
    scale = (high - low) / n_levels or 1.0
    zero_point = int(round(-low / scale))
    q = torch.clamp(torch.round(tensor / scale) + zero_point, 0, n_levels)
    return q.long(), scale, zero_point


def dequantize(q, scale, zero_point):
    return (q.float() - zero_point) * scale


class Int8Model(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.stub_in, self.body, self.stub_out = QuantStub(), model, DeQuantStub()

    def forward(self, x):
        return self.stub_out(self.body(self.stub_in(x)))


def quantize_model(model, calibration_images):
    float_model = Int8Model(copy.deepcopy(model)).eval()
    float_model.qconfig = get_default_qconfig(torch.backends.quantized.engine)
    observed = prepare(float_model, inplace=False)
    with torch.no_grad():
        observed(calibration_images)
    return convert(observed, inplace=False).eval()
