"""Optimizer, step decay and the loops, with the textbook's float accuracies per batch."""

import torch
from torch import nn


def make_optimizer(model: nn.Module, lr: float, momentum: float,
                   weight_decay: float) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                           weight_decay=weight_decay)


def make_scheduler(optimizer: torch.optim.Optimizer, step_size: int,
                   gamma: float) -> torch.optim.lr_scheduler.StepLR:
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device, scheduler=None) -> tuple[float, float]:
    criterion = nn.CrossEntropyLoss()
    model.train()
    loss_total, acc_total, n = 0.0, 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        batch = targets.size(0)
        loss_total += loss.item() * batch
        acc_total += (outputs.argmax(1) == targets).float().mean().item() * batch
        n += batch
    if scheduler is not None:
        scheduler.step()
    return loss_total / n, acc_total / n


def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    criterion = nn.CrossEntropyLoss()
    model.eval()
    loss_total, acc_total, n = 0.0, 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            batch = targets.size(0)
            loss_total += criterion(outputs, targets).item() * batch
            acc_total += (outputs.argmax(1) == targets).float().mean().item() * batch
            n += batch
    return loss_total / n, acc_total / n
