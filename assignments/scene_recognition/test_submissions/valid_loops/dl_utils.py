import torch


def predict_labels(model_output):
    labels = []
    for row in model_output:
        best = 0
        for j in range(1, len(row)):
            if row[j] > row[best]:
                best = j
        labels.append(best)
    return torch.tensor(labels, dtype=torch.int64)


def compute_loss(model, model_output, target_labels, is_normalize=True):
    loss = model.loss_criterion(model_output, target_labels)
    if is_normalize and model.loss_criterion.reduction == "sum":
        loss = loss / len(target_labels)
    return loss


def compute_accuracy(logits, labels):
    predictions = predict_labels(logits)
    correct = 0
    for predicted, label in zip(predictions.tolist(), labels.tolist()):
        if predicted == label:
            correct += 1
    return correct / len(predictions)
