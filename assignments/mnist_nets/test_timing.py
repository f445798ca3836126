"""Hidden: SimpleCNN's forward pass is not much slower than the reference's."""

import pytest
import torch

from grader import checks, timing

MAX_RATIO = 3.0


@pytest.mark.weight(3)
@pytest.mark.number("7.1")
@pytest.mark.visibility("hidden")
def test_simple_cnn_forward_speed(build, submission, reference, rng):
    """SimpleCNN forward takes at most 3x the reference's time on the same inputs"""
    student = build("SimpleCNN").eval()
    reference.ops.manual_seed(0)
    ref = reference.models.SimpleCNN().eval()

    def inputs(i):
        return (torch.randn(128, 1, 28, 28, generator=rng),)

    def run_student(x):  # fresh inputs each call; every answer is checked, not only timed
        checks.check_tensor(student(x), shape=(len(x), 10), name="SimpleCNN output")

    result = timing.compare(run_student, ref, inputs, warmup=2, repeats=7)
    assert result.ratio <= MAX_RATIO, (
        f"your SimpleCNN forward took {result.ratio:.1f}x the reference's time "
        f"({result.candidate_median_s * 1000:.1f} ms vs {result.reference_median_s * 1000:.1f} "
        f"ms per batch of 128); at most {MAX_RATIO:g}x is allowed")
