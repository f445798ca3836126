"""Hidden: SimpleCNN's forward pass is not much slower than the reference's."""

import pytest
import torch

from grader.kit.timing import check_forward_speed, same_as

MAX_RATIO = 3.0


@pytest.mark.timing
@pytest.mark.weight(3)
@pytest.mark.number("7.1")
@pytest.mark.visibility("hidden")
def test_simple_cnn_forward_speed(build, judge_twin, submission, reference, rng):
    """SimpleCNN forward takes at most 3x the reference's time on the same inputs"""
    student = build("SimpleCNN").eval()
    judge = judge_twin("SimpleCNN", student)
    reference.helpers.manual_seed(0)
    check_forward_speed(submission, student, reference, reference.models.SimpleCNN().eval(),
                        lambda i: (torch.randn(128, 1, 28, 28, generator=rng),),
                        same_as(judge, "SimpleCNN"), max_ratio=MAX_RATIO,
                        what="your SimpleCNN forward", per="per batch of 128")
