"""Training and evaluation loops in the textbook idiom: per-batch float accuracies."""

import torch
from torch import nn


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device) -> tuple[float, float]:
    criterion = nn.CrossEntropyLoss()
    model.train()
    running_loss = 0.0
    running_acc = 0.0
    seen = 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        pred = outputs.argmax(dim=1)
        running_loss += loss.item() * images.size(0)
        running_acc += (pred == labels).float().mean().item() * images.size(0)
        seen += images.size(0)
    return running_loss / seen, running_acc / seen


def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    criterion = nn.CrossEntropyLoss()
    model.eval()
    running_loss = 0.0
    running_acc = 0.0
    seen = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            running_loss += criterion(outputs, labels).item() * images.size(0)
            running_acc += (outputs.argmax(1) == labels).float().mean().item() * images.size(0)
            seen += images.size(0)
    return running_loss / seen, running_acc / seen
