"""Loops that keep their running sums as tensors on the device and read them once."""

import torch
import torch.nn.functional as F
from torch import nn


def _epoch(model: nn.Module, loader, device: torch.device, optimizer=None) -> tuple[float, float]:
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device)
    count = 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        logits = model(inputs)
        loss = F.cross_entropy(logits, targets)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        loss_sum += loss.detach() * targets.shape[0]
        correct += (logits.argmax(-1) == targets).float().sum()
        count += targets.shape[0]
    return (loss_sum / count).item(), (correct / count).item()


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device) -> tuple[float, float]:
    model.train()
    return _epoch(model, loader, device, optimizer)


def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        return _epoch(model, loader, device)
