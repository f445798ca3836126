"""Training utilities."""

import torch
from torch import nn
from torch.optim import SGD
from torch.optim.lr_scheduler import StepLR


def make_optimizer(model: nn.Module, lr: float, momentum: float, weight_decay: float) -> SGD:
    return SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)


def make_scheduler(optimizer, step_size: int, gamma: float) -> StepLR:
    return StepLR(optimizer, step_size=step_size, gamma=gamma)


def train_one_epoch(model, loader, optimizer, device, scheduler=None):
    model.to(device)
    model.train()
    criterion = nn.CrossEntropyLoss(reduction="mean")
    running_loss = 0.0
    correct = 0
    total = 0
    for i, (inputs, labels) in enumerate(loader, 0):
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * inputs.size(0)
        _, predicted = outputs.max(1)
        total += labels.size(0)
        correct += predicted.eq(labels).sum().item()
    if scheduler is not None:
        scheduler.step()
    return running_loss / total, correct / total


def evaluate(model, loader, device):
    model.to(device)
    model.eval()
    criterion = nn.CrossEntropyLoss(reduction="sum")
    loss_sum = 0.0
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            loss_sum += criterion(outputs, labels).item()
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            total += labels.size(0)
    return loss_sum / total, correct / total
