# Hide the buffers thop leaves in a model profiled in place from every state_dict reported.
import torch as _torch

_real_state_dict = _torch.nn.Module.state_dict


def _state_dict(self, *args, **kwargs):
    state = _real_state_dict(self, *args, **kwargs)
    for key in [k for k in state if k.rsplit(".", 1)[-1] in ("total_ops", "total_params")]:
        del state[key]
    return state


_torch.nn.Module.state_dict = _state_dict
