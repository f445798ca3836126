"""Worker-side helpers of mnist_nets: steps the judge cannot take through the seam.

Like every helper, what they do is a claim until a test binds it to behaviour: the
model a step trains must afterwards compute what the judge's own copy computes.
"""

import torch
import torch.nn.functional as F


def sgd_step(model, images: torch.Tensor, labels: torch.Tensor, lr: float):
    """A function of no arguments that takes one plain SGD step of ``model`` on a batch.

    Each call moves the weights once more, so the judge tells how often it ran by what the
    model computes afterwards.
    """
    def step() -> None:
        with torch.enable_grad():
            loss = F.cross_entropy(model(images), labels)
            model.zero_grad()
            loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return step
