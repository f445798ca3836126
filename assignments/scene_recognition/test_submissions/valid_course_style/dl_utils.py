import torch


def predict_labels(model_output: torch.Tensor) -> torch.Tensor:
    _, predicted_labels = torch.max(model_output, 1)
    return predicted_labels


def compute_loss(model, model_output, target_labels, is_normalize=True):
    loss = model.loss_criterion(model_output, target_labels)
    if is_normalize and model.loss_criterion.reduction == "sum":
        loss /= model_output.shape[0]
    return loss


def compute_accuracy(logits, labels):
    predictions = predict_labels(logits)
    correct = (predictions == labels).sum().item()
    return correct / labels.shape[0]
