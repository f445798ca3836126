import torch


def predict_labels(model_output: torch.Tensor) -> torch.Tensor:
    return model_output.argmax(dim=-1)


def compute_loss(model, model_output: torch.Tensor, target_labels: torch.Tensor,
                 is_normalize: bool = True) -> torch.Tensor:
    loss = model.loss_criterion(model_output, target_labels)
    sums = getattr(model.loss_criterion, "reduction", "mean") == "sum"
    return loss / len(target_labels) if is_normalize and sums else loss


def compute_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return predict_labels(logits).eq(labels).double().mean().item()
