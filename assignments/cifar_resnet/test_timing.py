"""Hidden: ResNet-20's forward pass is not much slower than the reference's."""

import pytest
import torch

from grader.kit.timing import check_forward_speed, same_as

MAX_RATIO = 3.0


@pytest.mark.timing
@pytest.mark.weight(3)
@pytest.mark.number("8.1")
@pytest.mark.visibility("hidden")
def test_resnet20_forward_speed(build_resnet, resnet_twins, submission, reference, rng):
    """ResNet20 forward takes at most 3x the reference's time on the same inputs"""
    student = build_resnet("A").eval()
    judge, _, matched = resnet_twins(student, "A")
    assert matched == "residual", ("your ResNet20 does not compute ResNet-20 (see the ResNet-20 "
                                   "tests), so its speed is not compared")
    reference.helpers.manual_seed(0)
    # Batches of 32, both sides without autograd: a graph of activations per call would cost
    # two workers 100 MB at once.
    check_forward_speed(submission, student, reference, reference.models.ResNet20("A").eval(),
                        lambda i: (torch.randn(32, 3, 32, 32, generator=rng),),
                        same_as(judge, "ResNet20"), max_ratio=MAX_RATIO, warmup=1, repeats=5,
                        what="your ResNet20 forward", per="per batch of 32")
