import torch
import torch.nn as nn


def _run_batch(model, images, labels, criterion):
    outputs = model(images)
    loss = criterion(outputs, labels)
    _, predicted = torch.max(outputs.data, 1)
    correct = (predicted == labels).sum()
    return loss, correct


def train_one_epoch(model, loader, optimizer, device):
    criterion = nn.CrossEntropyLoss()
    model.train()
    loss_sum = 0.0
    correct = torch.tensor(0)
    total = 0
    for images, labels in loader:
        images = images.to(device)
        labels = labels.to(device)
        loss, batch_correct = _run_batch(model, images, labels, criterion)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * labels.size(0)
        correct += batch_correct.cpu()
        total += labels.size(0)
    accuracy = (correct / total).item()  # int64 tensor / int: a float32 tensor
    return loss_sum / total, accuracy


def evaluate(model, loader, device):
    criterion = nn.CrossEntropyLoss()
    model.eval()
    loss_sum = 0.0
    correct = torch.tensor(0)
    total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            loss, batch_correct = _run_batch(model, images, labels, criterion)
            loss_sum += loss.item() * labels.size(0)
            correct += batch_correct.cpu()
            total += labels.size(0)
    return loss_sum / total, (correct / total).item()
