"""Optimizer, scheduler and loops; the running sums are tensors, read once per epoch."""

import torch
from torch import nn


def make_optimizer(model: nn.Module, lr: float, momentum: float,
                   weight_decay: float) -> torch.optim.SGD:
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.SGD(params=params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def make_scheduler(optimizer: torch.optim.Optimizer, step_size: int,
                   gamma: float) -> torch.optim.lr_scheduler.StepLR:
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)


def _pass(model, loader, device, criterion, optimizer=None):
    total_loss = torch.tensor(0.0, device=device)
    correct = torch.tensor(0, device=device)
    seen = 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        loss = criterion(logits, labels)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total_loss += loss.detach() * labels.numel()
        correct += (logits.argmax(dim=1) == labels).sum()
        seen += labels.numel()
    return total_loss.item() / seen, correct.item() / seen


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device, scheduler=None) -> tuple[float, float]:
    model.train()
    result = _pass(model, loader, device, nn.CrossEntropyLoss(), optimizer)
    if scheduler is not None:
        scheduler.step()  # once per epoch
    return result


@torch.inference_mode()
def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    model.eval()
    return _pass(model, loader, device, nn.CrossEntropyLoss())
