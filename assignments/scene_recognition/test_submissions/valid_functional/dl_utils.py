import torch
import torch.nn.functional as F


def predict_labels(model_output):
    probabilities = F.softmax(model_output, dim=1)
    return torch.argmax(probabilities, dim=1)


def compute_loss(model, model_output, target_labels, is_normalize=True):
    loss = model.loss_criterion(model_output, target_labels)
    if is_normalize and model.loss_criterion.reduction == "sum":
        return loss / model_output.shape[0]
    return loss


def compute_accuracy(logits, labels):
    return float(torch.mean((torch.argmax(logits, 1) == labels).to(torch.float64)))
