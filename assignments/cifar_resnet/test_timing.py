"""Hidden: ResNet-20's forward pass is not much slower than the reference's."""

import pytest
import torch

from grader.toolkit import checks, timing

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
    ref = reference.models.ResNet20("A").eval()
    answers = []

    def inputs(i):
        return (torch.randn(32, 3, 32, 32, generator=rng),)

    def run_student(x):  # fresh inputs each call; every answer is checked after the clock
        answers.append((x, submission.helpers.inference(student, x)))

    def run_reference(x):  # both sides without autograd: a graph of activations per call
        return reference.helpers.inference(ref, x)  # would cost two workers 100 MB at once

    result = timing.compare(run_student, run_reference, inputs, warmup=1, repeats=5,
                            pause_candidate=submission.paused)
    with torch.no_grad():
        for x, out in answers:
            checks.check_close(out, judge(x), rtol=1e-4, atol=1e-5, name="ResNet20 output")
    timing.check_quiet(result)
    assert result.ratio <= MAX_RATIO, (
        f"your ResNet20 forward took {result.ratio:.1f}x the reference's time "
        f"({result.candidate_median_s * 1000:.1f} ms vs {result.reference_median_s * 1000:.1f} "
        f"ms per batch of 32); at most {MAX_RATIO:g}x is allowed")
