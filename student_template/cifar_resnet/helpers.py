"""Worker-side helpers of cifar_resnet: small steps the judge cannot take through the seam.

Like every helper, what they return is a claim: the tests bind it to the
student's behaviour (weights after a step must reproduce the student's forward
in the judge's own model; lists of layers must come with weights that do).
"""

import torch
import torch.nn.functional as F


def around(activation, in_features: int, hidden: int, out_features: int,
           state: dict) -> torch.nn.Module:
    """``Linear(in, hidden)``, the student's activation module, ``Linear(hidden, out)``."""
    net = torch.nn.Sequential(torch.nn.Linear(in_features, hidden), activation,
                              torch.nn.Linear(hidden, out_features))
    net.load_state_dict(state)
    return net


def optimizer_steps(model, optimizer, images: torch.Tensor, labels: torch.Tensor,
                    steps: int) -> None:
    """``steps`` steps of ``optimizer`` on the mean cross-entropy of one batch."""
    model.train()
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def learning_rates(optimizer) -> list:
    """The learning rate of each parameter group of ``optimizer``, now."""
    return [float(group["lr"]) for group in optimizer.param_groups]


def optimizer_settings(optimizer) -> dict:
    """The optimizer's type and the hyper-parameters of its single group, as plain data."""
    groups = optimizer.param_groups
    settings = {k: v for k, v in groups[0].items() if isinstance(v, int | float | bool)}
    return {"type": type(optimizer).__name__, "groups": len(groups),
            "parameters": sum(p.numel() for g in groups for p in g["params"]), **settings}


def read_text(path: str) -> str:
    """A text file the student's code wrote in the worker's scratch space."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def step_decay(optimizer, step_size: int, gamma: float):
    """The grader's own step decay on the student's optimizer (for checking a training loop)."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer,
                                             lambda epoch: gamma ** (epoch // step_size))
