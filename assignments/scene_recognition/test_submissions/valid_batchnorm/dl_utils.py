import torch


def predict_labels(model_output):
    return torch.argmax(model_output, dim=1)


def compute_loss(model, model_output, target_labels, is_normalize=True):
    loss = model.loss_criterion(model_output, target_labels)
    if is_normalize and model.loss_criterion.reduction == "sum":
        loss = loss / model_output.size(0)
    return loss


def compute_accuracy(logits, labels):
    right = (predict_labels(logits) == labels).sum().item()
    return right / len(labels)
