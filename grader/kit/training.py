"""Training-loop tests: the judge runs the loop the handout asks for on its own copy.

A student's `train_one_epoch` is graded by what it does to a model, never by the
numbers it reports about itself: the judge trains its own copy of a small net
with the same initial weights, data and optimizer settings (`judge_epoch`), then
compares the student's trained weights with its own and re-evaluates the loss
on its copy holding them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from grader.kit.fixtures import seed_from
from grader.toolkit.layers import sequential


def judge_copy(spec: list, rng: torch.Generator) -> torch.nn.Module:
    """The judge's own net of layer `spec`, initialised from the test's generator."""
    torch.manual_seed(seed_from(rng))
    return sequential(spec)


def judge_epoch(net: torch.nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                y: torch.Tensor, batch_size: int) -> tuple[float, float]:
    """One epoch of the loop the handouts ask for, on batches in order: the mean
    cross-entropy loss and the accuracy over the epoch, as the batches saw them."""
    net.train()
    total, correct = 0.0, 0
    for start in range(0, len(y), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        logits = net(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
    return total / len(y), correct / len(y)


def judge_evaluate(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The mean cross-entropy loss and the accuracy of `net` (in the mode it is in) on `x`."""
    with torch.no_grad():
        logits = net(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).sum().item() / len(y)
