"""Hidden: SimpleCNN's forward pass is not much slower than the reference's."""

import pytest
import torch

from grader.toolkit import checks, timing

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
    ref = reference.models.SimpleCNN().eval()
    answers = []

    def inputs(i):
        return (torch.randn(128, 1, 28, 28, generator=rng),)

    def run_student(x):  # fresh inputs each call; every answer is checked after the clock
        answers.append((x, student(x)))

    result = timing.compare(run_student, ref, inputs, warmup=2, repeats=7,
                            pause_candidate=submission.paused)
    with torch.no_grad():
        for x, out in answers:
            checks.check_close(out, judge(x), rtol=1e-4, atol=1e-5, name="SimpleCNN output")
    timing.check_quiet(result)
    assert result.ratio <= MAX_RATIO, (
        f"your SimpleCNN forward took {result.ratio:.1f}x the reference's time "
        f"({result.candidate_median_s * 1000:.1f} ms vs {result.reference_median_s * 1000:.1f} "
        f"ms per batch of 128); at most {MAX_RATIO:g}x is allowed")
