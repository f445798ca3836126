"""Training harness: the whole dataset as tensors on the device, batches sliced from it.

No DataLoader and no per-sample Python: shuffling is one ``randperm`` per epoch
from a seeded CPU generator (the same order on every device), and uint8 images
are converted and normalized on the device one batch at a time.

The harness gets held-out *images* only and returns predictions; the judge
owns the labels and computes accuracy itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from grader.toolkit.datasets.base import to_float
from grader.toolkit.recipe import Recipe  # defined apart, free of torch; used from here too


@dataclass
class TrainResult:
    """Predictions for ``eval_images`` (int64, or None), per-step losses, training seconds."""

    predictions: torch.Tensor | None
    loss_curve: list[float]
    seconds: float


@contextmanager
def deterministic(seed: int):
    """Seed torch and ask for deterministic kernels, restoring the global flags afterwards."""
    previous = (torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
                torch.backends.cudnn.benchmark)
    torch.manual_seed(seed)  # dropout masks and parameter re-inits inside the model
    # warn_only: a CUDA op without a deterministic kernel should not fail grading.
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
        torch.backends.cudnn.benchmark = previous[2]


def synchronize(device: torch.device | str) -> None:
    """Wait for queued CUDA work, so that wall-clock times mean something."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def batch_indices(n: int, recipe: Recipe, generator: torch.Generator,
                  device: torch.device | str) -> Iterator[torch.Tensor]:
    """Index batches for the whole budget, reshuffling at each epoch start."""
    remaining = recipe.total_steps(n)
    while remaining:
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, recipe.batch_size):
            if not remaining:
                return
            remaining -= 1
            yield order[start:start + recipe.batch_size]


def _check_data(images: torch.Tensor, labels: torch.Tensor) -> None:
    if images.dim() != 4 or labels.dtype != torch.int64 or labels.shape != images.shape[:1]:
        raise ValueError(f"need N x C x H x W images and N int64 labels, got "
                         f"{tuple(images.shape)} and {labels.dtype} {tuple(labels.shape)}")


def train(model: torch.nn.Module, *, recipe: Recipe, train_images: torch.Tensor,
          train_labels: torch.Tensor, device: torch.device | str = "cpu", seed: int = 0,
          eval_images: torch.Tensor | None = None, mean=None, std=None,
          progress: bool = True) -> TrainResult:
    """Train ``model`` in place with cross-entropy, then predict ``eval_images``.

    Images are uint8 (scaled to [0, 1]) or float already in [0, 1]; ``mean`` and
    ``std`` (per channel) normalize them on the device. The same seed on CPU
    gives the same loss curve, bit for bit.
    """
    _check_data(train_images, train_labels)
    with deterministic(seed):
        model.to(device).train()
        optimizer = recipe.make_optimizer(model.parameters())
        images, labels = train_images.to(device), train_labels.to(device)
        generator = torch.Generator().manual_seed(seed)
        batches = batch_indices(len(labels), recipe, generator, device)
        # Filled in place: a small tensor kept per step would pin the heap's freed
        # activations (glibc), and the worker would grow by 200 MB over a CPU run.
        losses = torch.empty(recipe.total_steps(len(labels)), device=device)
        synchronize(device)
        start = time.perf_counter()
        for step, index in enumerate(tqdm(batches, total=len(losses), desc="train",
                                          leave=False, disable=not progress)):
            loss = F.cross_entropy(model(to_float(images[index], mean, std)), labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses[step] = loss.detach()  # no .item(): it would sync CUDA every step
        synchronize(device)
        seconds = time.perf_counter() - start
    predictions = None
    if eval_images is not None:
        predictions = predict(model, eval_images, device=device, mean=mean, std=std)
    return TrainResult(predictions, losses.tolist(), seconds)


PREDICT_PIXELS = 256 * 28 * 28  # pixels per batch when predicting: 256 MNIST images


def predict(model: torch.nn.Module, images: torch.Tensor, *, device: torch.device | str = "cpu",
            mean=None, std=None) -> torch.Tensor:
    """Class predictions (int64, on CPU) in eval mode, batch by batch.

    Batches hold PREDICT_PIXELS pixels (256 MNIST images, 49 of 64 x 64) to keep
    a CNN's activations small: grading must fit in 768 MB.
    """
    batch_size = max(1, PREDICT_PIXELS // (images[0].numel() if len(images) else 1))
    model.to(device).eval()
    with torch.inference_mode():
        chunks = [model(to_float(images[i:i + batch_size].to(device), mean, std)).argmax(1)
                  for i in range(0, len(images), batch_size)]
    return torch.cat(chunks).to("cpu", torch.int64)
