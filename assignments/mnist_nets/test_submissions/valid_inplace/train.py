import torch
from torch import nn

criterion = nn.CrossEntropyLoss()


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device) -> tuple[float, float]:
    model.train()
    total_loss, total_correct, total = 0.0, 0, 0
    for batch_idx, (data, target) in enumerate(loader):
        data = data.to(device, non_blocking=True)
        target = target.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(target)
        total_correct += output.argmax(dim=1).eq(target).sum().item()
        total += len(target)
    return total_loss / total, total_correct / total


def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    model.eval()
    sum_loss = nn.CrossEntropyLoss(reduction="sum")
    total_loss, total_correct, total = 0.0, 0, 0
    with torch.inference_mode():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            total_loss += sum_loss(output, target).item()
            total_correct += output.argmax(dim=1).eq(target).sum().item()
            total += len(target)
    return total_loss / total, total_correct / total
