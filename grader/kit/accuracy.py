"""The accuracy test: train the student's model on the calibrated budget, judge its predictions.

What it guarantees, so that an assignment's accuracy test need not:
- Training runs in the worker with the grader's harness and the very budget
  `grader calibrate` trained the reference with (`[training.<model>]`), seeded
  from the grading secret.
- The accuracy is computed here, from predictions the judge made itself or got
  from the worker in a secret order among noisy copies (`toolkit.heldout`);
  held-out labels never leave the judge.
- The threshold is the one calibrated for the device class and the data the
  test actually loaded (`Assignment.threshold`): real data never borrows the
  stand-in's numbers, and a missing pair is a regrade, never a failure.
"""

from __future__ import annotations

import torch

from grader.toolkit.datasets import ImageDataset


def train_on_budget(submission, assignment, name: str, model, train_set: ImageDataset,
                    device: torch.device, seed: int) -> dict:
    """`model` (a handle in the worker) trained with `name`'s calibrated recipe: a dict with
    its trained "state" and its "loss_curve"."""
    return submission.helpers.train(model, assignment.recipe(name).to_dict(), train_set.images,
                                    train_set.labels, mean=train_set.mean, std=train_set.std,
                                    device=device.type, seed=seed)


def check_threshold(assignment, device: torch.device, name: str, predictions: torch.Tensor,
                    held: ImageDataset, record_property=None,
                    advice: str = "Check the architecture and the forward pass.") -> None:
    """`predictions` of the held-out images reach `name`'s calibrated threshold.

    `record_property` (pytest's fixture) keeps the accuracy and the threshold for the
    staff's batch report; students see neither beyond the message.
    """
    threshold = assignment.threshold(device, name, held)
    accuracy = (predictions == held.labels).double().mean().item()
    if record_property is not None:
        record_property("accuracy", accuracy)
        record_property("threshold", threshold)
    assert accuracy >= threshold, (
        f"{name} reached {accuracy:.2%} held-out accuracy after the fixed training budget; "
        f"the threshold is {threshold:.2%}. {advice}")
