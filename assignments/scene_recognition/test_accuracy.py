"""Training: each model reaches its accuracy threshold on held-out scenes after a fixed budget.

SimpleNet and SimpleNetDropout are the student's own design: the worker trains
them with the grader's harness and predicts the held-out images, sent in a
secret order mixed with noisy copies (grader.toolkit.heldout). MyAlexNet is
fine-tuned from a small backbone pretrained on a source task (pretrain.py), or on
real 15-Scene from torchvision's AlexNet with its ImageNet weights (conftest.py):
the judge rebuilds the trained model from the layers its forward calls, checks
it computes what the student's does on fresh inputs, and predicts the held-out
images itself. Their labels stay with the judge. Thresholds are calibrated
with negative controls (`grader calibrate scene_recognition`), in assignment.toml.
"""

import pytest
import torch
from torch import nn

from grader.kit.accuracy import check_threshold, train_on_budget
from grader.kit.fixtures import seed_from
from grader.toolkit import heldout
from grader.toolkit.layers import Structure
from grader.toolkit.training import predict

pytestmark = pytest.mark.training


class ThreeChannels(nn.Module):
    """The channel repeat MyAlexNet's forward starts with."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.expand(-1, 3, -1, -1)


ADVICE = ("The loss curve and the confusion matrix below show how it learned: check the "
          "architecture and the forward pass.")


@pytest.mark.weight(12, split=True)
@pytest.mark.number("8.1")
def test_accuracy(model_id, build, submission, assignment, training_data, device, rng,
                  draw_training):
    """Model reaches the accuracy threshold on held-out scenes"""
    train_set, held = training_data
    seed = seed_from(rng)
    model = build(model_id)
    trained = train_on_budget(submission, assignment, model_id, model, train_set, device, seed)
    predictions = heldout.worker_predictions(
        lambda shown: submission.helpers.predict(model, shown, mean=train_set.mean,
                                                 std=train_set.std, device=device.type),
        held.images, seed=seed)
    draw_training(model_id, trained["loss_curve"], predictions, held)
    check_threshold(assignment, device, model_id, predictions, held, advice=ADVICE)


@pytest.mark.weight(5)
@pytest.mark.number("8.2")
@pytest.mark.parametrize("trained_id", ["FineTunedAlexNet"])  # names its budget and threshold
def test_fine_tuned_alexnet_accuracy(trained_id, submission, assignment, training_data, device, rng,
                                     images, pretrained_backbone, draw_training):
    """MyAlexNet fine-tuned from a pretrained backbone reaches the threshold"""
    train_set, held = training_data
    seed = seed_from(rng)
    backbone = submission.helpers.alexnet_like(*pretrained_backbone(held))
    submission.helpers.manual_seed(seed)
    model = submission.my_alexnet.MyAlexNet(backbone=backbone)
    trained = train_on_budget(submission, assignment, trained_id, model, train_set, device,
                              seed)
    rebuilt = Structure.rebuild(submission.helpers.describe(model, (1, 1, 64, 64)))
    x = images(8)
    rebuilt.verify(lambda three: model(three[:, :1].contiguous()),
                   x.expand(-1, 3, -1, -1).contiguous(), seed=seed)
    judge = nn.Sequential(ThreeChannels(), rebuilt.model)
    predictions = predict(judge, held.images, mean=train_set.mean, std=train_set.std)
    draw_training("MyAlexNet", trained["loss_curve"], predictions, held)
    check_threshold(assignment, device, trained_id, predictions, held, advice=ADVICE)
