"""Forward tests: output shapes, and the specified function with weights the judge draws.

`drawn_twin` is how a test learns whether a student's model computes the
specified function without taking the student's weights on trust: the judge
draws weights from the test's generator into its own copy of the architecture
and loads the same values into the student's model (matched to the student's
state names by shape, in order). A model that ignores its weights, or reports
other weights than it computes with, then cannot compute what the judge's does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from grader.toolkit import checks
from grader.toolkit.drawn import draw_weights, replace_weights


def pair_by_shape(judge: dict, student: dict) -> dict[str, str]:
    """The judge's state keys -> the student's keys of the same shapes, matched in order."""
    pool = list(student.items())
    pairs = {}
    for key, tensor in judge.items():
        match = next((i for i, (_, t) in enumerate(pool) if t.shape == tensor.shape), None)
        assert match is not None, (f"no parameter or buffer of shape {tuple(tensor.shape)} "
                                   f"(needed for {key}) in your model")
        pairs[key] = pool.pop(match)[0]
    return pairs


def drawn_twin(submission, judge: torch.nn.Module, model, rng: torch.Generator) -> torch.nn.Module:
    """`judge` (the judge's architecture) in eval mode with weights drawn from `rng`, the
    same weights loaded into the student's `model` (a handle in the worker)."""
    judge = draw_weights(judge.eval(), rng)
    student, drawn = submission.helpers.state_dict(model), judge.state_dict()
    pairs = pair_by_shape(drawn, student)
    submission.helpers.load_state(model, replace_weights(
        student, {name: drawn[key] for key, name in pairs.items()}))
    return judge


def check_spec_forward(model, judge: torch.nn.Module, inputs: torch.Tensor, *, name: str,
                       hint: str) -> None:
    """The student's `model` computes `judge` (its twin) on `inputs`, in eval mode."""
    model.eval()
    with torch.no_grad():
        expected = judge(inputs)
    checks.check_close(model(inputs), expected, rtol=1e-4, atol=1e-5, name=f"{name} output",
                       hint=hint)


def check_output_shape(model, images: Callable[[int], torch.Tensor], classes: int, *,
                       name: str, hint: str) -> None:
    """`model` maps a batch of 5 images (training mode) and a single image (evaluation mode:
    a training-mode batch norm needs more than one) to `classes` float32 logits each."""
    for n, mode in ((5, "training"), (1, "evaluation")):
        if mode == "evaluation":
            model.eval()
        checks.check_tensor(model(images(n)), shape=(n, classes), dtype=torch.float32,
                            name=f"{name} output for {n} image(s) in {mode} mode", hint=hint)


def check_dropout_only_while_training(dropped, plain, inputs: torch.Tensor, *, name: str,
                                      plain_name: str, hint: str) -> None:
    """`dropped` (a model with dropout) is random in training mode only; `plain` (the same
    design without dropout) never is. Both are handles in the worker."""
    dropped.train()
    assert not torch.equal(dropped(inputs), dropped(inputs)), (
        f"in training mode two passes of {name} over the same input should differ: {hint}")
    dropped.eval()
    checks.check_close(dropped(inputs), dropped(inputs), rtol=0, atol=0,
                       name=f"two eval-mode passes of {name}",
                       hint="dropout must be inactive in eval mode (use nn.Dropout, which "
                            "follows model.eval())")
    plain.train()
    checks.check_close(plain(inputs), plain(inputs), rtol=0, atol=0,
                       name=f"two training-mode passes of {plain_name}",
                       hint=f"{plain_name} has no randomness")


def output_shape_test(classes: int, *, number: str, weight: int, title: str, hint: str):
    """The output-shape test of every model the `model_id` fixture names, as an assignment
    binds it: ``test_output_shape = output_shape_test(10, number="1.1", ...)``.

    `title` is the test's title in the results; `weight` is split over the models.
    """
    @pytest.mark.weight(weight, split=True)
    @pytest.mark.number(number)
    def test_output_shape(build, images, model_id):
        check_output_shape(build(model_id), images, classes, name=model_id, hint=hint)

    test_output_shape.__doc__ = title
    return test_output_shape
