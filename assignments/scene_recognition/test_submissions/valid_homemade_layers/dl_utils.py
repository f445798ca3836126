import torch


def predict_labels(model_output):
    return torch.max(model_output, dim=1).indices


def compute_loss(model, model_output, target_labels, is_normalize=True):
    criterion = model.loss_criterion
    loss = criterion(model_output, target_labels)
    if is_normalize and criterion.reduction == "sum":
        loss = loss / target_labels.numel()
    return loss


def compute_accuracy(logits, labels):
    return float((predict_labels(logits) == labels).float().mean())
