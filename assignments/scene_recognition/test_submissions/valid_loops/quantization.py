import copy

import torch
import torch.nn as nn


def quantize(tensor, num_bits=8):
    qmax = 2**num_bits - 1
    flat = tensor.flatten()
    low, high = 0.0, 0.0
    for value in flat.tolist():
        low = min(low, value)
        high = max(high, value)
    scale = (high - low) / qmax
    if scale == 0:
        scale = 1.0
    zero_point = round(-low / scale)
    q = torch.empty(flat.shape, dtype=torch.int64)
    for i in range(flat.numel()):
        value = torch.round(flat[i] / scale).item() + zero_point  # in the tensor's dtype
        q[i] = int(min(max(value, 0), qmax))
    return q.reshape(tensor.shape), scale, zero_point


def dequantize(q, scale, zero_point):
    out = torch.empty(q.shape, dtype=torch.float32)
    flat_q, flat_out = q.flatten(), out.view(-1)
    for i in range(flat_q.numel()):
        flat_out[i] = (flat_q[i].item() - zero_point) * scale
    return out


class Quantizable(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.quant_in = torch.ao.quantization.QuantStub()
        self.net = model
        self.quant_out = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.quant_out(self.net(self.quant_in(x)))


def quantize_model(model, calibration_images):
    copied = Quantizable(copy.deepcopy(model)).eval()
    copied.qconfig = torch.ao.quantization.get_default_qconfig(torch.backends.quantized.engine)
    torch.ao.quantization.prepare(copied, inplace=True)
    with torch.no_grad():
        for image in calibration_images:
            copied(image.unsqueeze(0))
    torch.ao.quantization.convert(copied, inplace=True)
    return copied
