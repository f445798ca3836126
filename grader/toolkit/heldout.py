"""Held-out predictions from a model the judge cannot rebuild (an open-design part).

When the architecture is the student's own, the judge has to ask the worker
for predictions. It sends the held-out images in a secret order, mixed with
copies carrying imperceptible noise, and accepts the predictions only if each
copy is predicted like its original:

- a stored list of labels cannot line up with an order it does not know;
- a table keyed on exact image bytes misses the copies, and gives itself away;
- a real model does not notice +-2 grey levels.

What it cannot prove: that the predictions came from training (a model shipped
already trained passes), or that a lookup robust to noise (nearest neighbour
over a memorised public test set) was not used. Parts where that matters need
a canonical architecture, so the judge predicts itself: where the judge's own
model loaded with the student's weights computes what the student's model
computes (`same_function`), the held-out images never reach the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from grader.toolkit.training import predict

COPIES = 0.2          # a duplicate for this fraction of the images
NOISE_LEVELS = 2      # +- grey levels (of 255) added to each pixel of a copy
MIN_AGREEMENT = 0.9   # copies predicted like their originals


@dataclass(frozen=True)
class Disguised:
    """Images as the worker sees them, and how to map its predictions back."""

    images: torch.Tensor   # originals and copies, shuffled
    source: torch.Tensor   # images[i] shows original number source[i]
    is_copy: torch.Tensor  # bool: images[i] is a noisy copy

    def unscramble(self, predictions: torch.Tensor) -> tuple[torch.Tensor, float]:
        """Predictions in the originals' order, and how often copies agreed with them."""
        n = int((~self.is_copy).sum())
        ordered = torch.empty(n, dtype=predictions.dtype)
        ordered[self.source[~self.is_copy]] = predictions[~self.is_copy]
        copies = predictions[self.is_copy]
        agreement = (copies == ordered[self.source[self.is_copy]]).double().mean().item() \
            if len(copies) else 1.0
        return ordered, agreement


def disguise(images: torch.Tensor, *, seed: int, copies: float = COPIES) -> Disguised:
    """Shuffle `images` (uint8, or float in [0, 1]) with noisy copies of a random subset."""
    generator = torch.Generator().manual_seed(seed)
    n = len(images)
    copied = torch.randperm(n, generator=generator)[:max(1, int(n * copies))]
    source = torch.cat([torch.arange(n), copied])
    is_copy = torch.cat([torch.zeros(n, dtype=torch.bool), torch.ones(len(copied), dtype=torch.bool)])
    shown = torch.cat([images, _noisy(images[copied], generator)])
    order = torch.randperm(len(source), generator=generator)
    return Disguised(shown[order], source[order], is_copy[order])


def _noisy(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    noise = torch.randint(-NOISE_LEVELS, NOISE_LEVELS + 1, images.shape, generator=generator)
    if images.dtype == torch.uint8:
        return (images.to(torch.int16) + noise).clamp(0, 255).to(torch.uint8)
    return (images + noise.to(images.dtype) / 255).clamp(0, 1)


def same_function(student_output, judge_output: torch.Tensor) -> bool:
    """The student's output on fresh inputs is what the judge's model computes."""
    return (isinstance(student_output, torch.Tensor)
            and student_output.shape == judge_output.shape
            and torch.allclose(student_output.float(), judge_output, rtol=1e-4, atol=1e-5))


def worker_predictions(predict: Callable[[torch.Tensor], object], images: torch.Tensor, *,
                       seed: int) -> torch.Tensor:
    """Predictions for `images` from the worker, asked in a secret order with noisy copies.

    `predict(images)` runs the student's model in the worker. Raises AssertionError
    (a failed test) when the answers are malformed or copies are not predicted
    like their originals.
    """
    shown = disguise(images, seed=seed)
    answers = predict(shown.images)
    if (not isinstance(answers, torch.Tensor) or answers.dtype != torch.int64
            or answers.shape != (len(shown.images),)):
        raise AssertionError(f"predictions: expected {len(shown.images)} int64 class indices, "
                             f"got {_describe(answers)}")
    ordered, agreement = shown.unscramble(answers)
    if agreement < MIN_AGREEMENT:
        raise AssertionError(
            f"your model answered {1 - agreement:.0%} of the held-out images differently from "
            "the same images with imperceptible noise added; predictions must come from the "
            "pixels")
    return ordered


def trained_predictions(submission, model, judge: torch.nn.Module | None, images: torch.Tensor,
                        *, probe: torch.Tensor, mean, std, device: str, seed: int) -> torch.Tensor:
    """Held-out predictions of the student's trained ``model``, labels never sent.

    ``judge`` is the judge's own architecture loaded with the student's trained weights
    (None when they do not fit it). Where it computes what ``model`` computes on the
    fresh inputs ``probe``, the judge predicts ``images`` itself and they never reach
    the worker; otherwise the worker predicts them, disguised (`worker_predictions`).
    """
    with torch.no_grad():
        own = judge is not None and same_function(model(probe), judge(probe))
    if own:
        return predict(judge, images, mean=mean, std=std)
    return worker_predictions(
        lambda shown: submission.helpers.predict(model, shown, mean=mean, std=std, device=device),
        images, seed=seed)


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return type(value).__name__
