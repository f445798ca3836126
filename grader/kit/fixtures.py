"""The fixtures every assignment with models needs, built from two facts it declares.

An assignment's conftest names its models and the input they take, and binds the
fixtures to module names pytest finds:

    MODELS = {"SimpleFC": Model("models", "SimpleFC"),
              "SimpleCNN(batch_norm=True)": Model("models", "SimpleCNN", {"batch_norm": True})}
    build, images, structure = model_fixtures(MODELS, input_shape=(1, 28, 28))

What they guarantee: every model is built in the student's worker right after the
worker's RNG is seeded from the test's generator (drawn from the grading secret),
so initial weights are fixed for the judge and unknown to the student in advance;
inputs are drawn from the same generator; a structure counts only once the judge's
rebuild computed what the student's forward computes (`toolkit.layers.verified_structure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from grader.judge.plugin import SESSION
from grader.toolkit import artifacts
from grader.toolkit.layers import verified_structure


def seed_from(rng: torch.Generator) -> int:
    """A seed for the worker's RNG, drawn from the test's generator."""
    return int(torch.randint(2**31, (1,), generator=rng))


@dataclass(frozen=True)
class Model:
    """A model of the handout: the submission module and class that build it, and the
    constructor's keyword arguments."""

    module: str
    cls: str
    kwargs: dict = field(default_factory=dict)

    def build(self, submission):
        return getattr(getattr(submission, self.module), self.cls)(**self.kwargs)


def model_fixtures(models: dict[str, Model], input_shape: tuple[int, ...]):
    """The `build`, `images` and `structure` fixtures of an assignment (see the module's text)."""

    @pytest.fixture(name="build")
    def build(submission, rng):
        """`build(model_id)`: the student's model, built after seeding the worker."""
        def make(model_id: str):
            submission.helpers.manual_seed(seed_from(rng))
            return models[model_id].build(submission)
        return make

    @pytest.fixture(name="images")
    def images(rng):
        """`images(n)`: random normalized-looking inputs of the assignment's shape."""
        return lambda n: torch.randn(n, *input_shape, generator=rng)

    @pytest.fixture(name="structure")
    def structure(submission, images, rng):
        """`structure(model)`: the model as the judge rebuilt it, checked against its forward;
        counts, layer lists and MACs come from it."""
        return lambda model: verified_structure(submission, model, images(8), seed=seed_from(rng))

    return build, images, structure


def device_class(config: pytest.Config) -> str:
    """The device class this grading runs on ("cpu" or "cuda"), known at collection time
    (for `pytest_generate_tests`: some models are trained only on a GPU budget)."""
    return config.stash[SESSION].device


@pytest.fixture
def submitted(request, assignment):
    """`submitted(key)`: the path of the `[artifacts.<key>]` file in the submission, or a failure
    that says how to make it. An assignment with graded files imports this into its conftest."""
    folder = request.config.stash[SESSION].submission_dir or assignment.submission

    def find(key: str) -> Path:
        artifact = assignment.settings.artifacts[key]
        return artifacts.find(folder, artifact.file, how=artifact.how)
    return find
