import torch
import torch.nn.functional as F
from torch import optim


def make_optimizer(model, lr, momentum, weight_decay):
    return optim.SGD(model.parameters(), lr, momentum=momentum, weight_decay=weight_decay)


def make_scheduler(optimizer, step_size, gamma):
    return optim.lr_scheduler.StepLR(optimizer, step_size, gamma)


def train_one_epoch(model, loader, optimizer, device, scheduler=None):
    model.train()
    losses, hits, sizes = [], [], []
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        hits.append((logits.argmax(1) == y).sum().item())
        sizes.append(len(y))
    if scheduler:
        scheduler.step()
    sizes_t = torch.tensor(sizes, dtype=torch.float64)
    mean_loss = (torch.tensor(losses, dtype=torch.float64) * sizes_t).sum() / sizes_t.sum()
    return mean_loss.item(), sum(hits) / sum(sizes)


def evaluate(model, loader, device):
    model.eval()
    all_logits, all_labels = [], []
    with torch.no_grad():
        for x, y in loader:
            all_logits.append(model(x.to(device)))
            all_labels.append(y.to(device))
    logits, labels = torch.cat(all_logits), torch.cat(all_labels)
    loss = F.cross_entropy(logits, labels).item()
    accuracy = logits.argmax(1).eq(labels).float().mean().item()
    return loss, accuracy
