"""SGD with weight decay, step decay of the learning rate, and the per-epoch loops."""

import torch
from torch import nn


def make_optimizer(model: nn.Module, lr: float, momentum: float,
                   weight_decay: float) -> torch.optim.SGD:
    """``torch.optim.SGD`` over all of ``model``'s parameters.

    L2 regularization is the optimizer's ``weight_decay`` alone: do not also
    add a penalty to the loss, or the parameters decay twice as fast.
    """
    # TODO: return SGD over model.parameters() with lr, momentum and weight_decay
    raise NotImplementedError("TODO: return SGD over model.parameters() with lr, momentum and weight_decay")


def make_scheduler(optimizer: torch.optim.Optimizer, step_size: int,
                   gamma: float) -> torch.optim.lr_scheduler.StepLR:
    """Step decay: the learning rate is multiplied by ``gamma`` every ``step_size`` epochs.

    Step it once at the end of each epoch (``train_one_epoch(..., scheduler=...)``
    does), not per batch.
    """
    # TODO: return a torch.optim.lr_scheduler.StepLR
    raise NotImplementedError("TODO: return a torch.optim.lr_scheduler.StepLR")


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer,
                    device: torch.device, scheduler=None) -> tuple[float, float]:
    """Train ``model`` for one pass over ``loader`` and return ``(mean_loss, accuracy)``.

    ``loader`` yields ``(images, labels)`` batches. Put the model in training
    mode, move each batch to ``device``, and take one optimizer step per batch
    on ``nn.CrossEntropyLoss``. ``mean_loss`` is the average loss per sample
    (batches weighted by their size) and ``accuracy`` the fraction of samples
    whose arg-max logit was the label, a float in [0, 1], both measured on
    the fly during the epoch. A ``scheduler``, when given, is stepped once, after
    the last batch: step decay counts epochs, not batches.
    """
    # TODO: loop over the loader: forward, loss, zero_grad, backward, step; keep running sums
    raise NotImplementedError("TODO: loop over the loader: forward, loss, zero_grad, backward, step; keep running sums")


def evaluate(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    """Return ``(mean_loss, accuracy)`` of ``model`` over ``loader`` without training it.

    Runs in evaluation mode (batch norm uses its running statistics) and
    without gradients; same definitions of loss and accuracy as
    ``train_one_epoch``.
    """
    # TODO: like train_one_epoch, in eval mode under torch.no_grad() and without optimizer steps
    raise NotImplementedError("TODO: like train_one_epoch, in eval mode under torch.no_grad() and without optimizer steps")
