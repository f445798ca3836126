"""Judge-side fixtures of cifar_resnet: seeded models, the judge's own architectures, data.

Any test with a `model_id` argument runs once per SimpleNN variant; with `option`,
once per ResNet-20 shortcut option.
"""

import functools
import importlib.util
from pathlib import Path

import pytest
import torch

from grader.kit.fixtures import (
    Model,
    device_class,
    model_fixtures,
    seed_from,
    submitted,  # noqa: F401 (a fixture: imported, pytest finds it)
)
from grader.kit.forward import drawn_twin
from grader.toolkit import heldout
from grader.toolkit.datasets import get_dataset

MODELS = {  # test id -> how the student builds it (canonical.simple_nn takes the same arguments)
    "SimpleNN": Model("models", "SimpleNN"),
    "SimpleNN(batch_norm=True)": Model("models", "SimpleNN", {"batch_norm": True}),
    "SimpleNN(activation='swish')": Model("models", "SimpleNN", {"activation": "swish"}),
}
build, images, structure = model_fixtures(MODELS, input_shape=(3, 32, 32))
OPTIONS = ["A", "B"]
# Trained to a threshold, by device class: ResNet-20 only where a GPU budget can train it.
TRAINED = {"cpu": ["SimpleNN"], "cuda": ["SimpleNN", "ResNet20"]}


def pytest_generate_tests(metafunc):
    if "model_id" in metafunc.fixturenames:
        metafunc.parametrize("model_id", list(MODELS))
    if "option" in metafunc.fixturenames:
        metafunc.parametrize("option", OPTIONS)
    if "trained_id" in metafunc.fixturenames:
        metafunc.parametrize("trained_id", TRAINED[device_class(metafunc.config)])


@functools.cache
def _canonical():
    """canonical.py beside this file: the judge's SimpleNN and ResNet-20."""
    spec = importlib.util.spec_from_file_location("cifar_resnet_canonical",
                                                  Path(__file__).with_name("canonical.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def canonical():
    return _canonical()


@pytest.fixture
def build_resnet(submission, rng):
    def build(option: str):
        submission.helpers.manual_seed(seed_from(rng))
        return submission.models.ResNet20(shortcut=option)
    return build


@pytest.fixture
def perturbed(submission, rng):
    """`perturbed(model)`: the model's state after the judge moved every float tensor at random.

    Freshly built, every batch norm has weight 1, bias 0, mean 0 and variance 1, so
    a model that mixes them up would compute the judge's function by accident;
    with random values (variances kept positive) it cannot.
    """
    def perturb(model) -> dict:
        state = submission.helpers.state_dict(model)
        for key, value in state.items():
            if value.is_floating_point():
                noise = torch.rand(value.shape, generator=rng) * 0.5 + 0.75
                state[key] = value * noise + (0 if key.endswith("running_var") else
                                              (torch.rand(value.shape, generator=rng) - 0.5) * 0.2)
        submission.helpers.load_state(model, state)
        return state
    return perturb


@pytest.fixture
def simple_twin(submission, canonical, rng):
    """`simple_twin(model_id, model)`: the judge's SimpleNN variant with weights it drew, the
    same weights loaded into the student's `model` (`grader.kit.forward.drawn_twin`)."""
    return lambda model_id, model: drawn_twin(
        submission, canonical.simple_nn(**MODELS[model_id].kwargs), model, rng)


@pytest.fixture
def resnet_twins(perturbed, canonical, images):
    """`resnet_twins(model, option)`: the judge's ResNet-20 with the student's weights, with and
    without skip connections, and whether the student's forward matched either.

    Returns (with_skips, without_skips, matched) where matched is "residual",
    "plain" or None; weights that fit neither computation are not the model's own.
    """
    def twins(model, option: str):
        state = perturbed(model)
        name = f"ResNet20(shortcut={option!r})"
        with_skips = canonical.load_by_shape(canonical.resnet20(option), state, name)
        plain = canonical.load_by_shape(canonical.resnet20(option, residual=False), state, name)
        x = images(4)
        model.eval()
        out = model(x)
        with torch.no_grad():
            matched = next((kind for kind, net in (("residual", with_skips), ("plain", plain))
                            if heldout.same_function(out, net(x))), None)
        return with_skips, plain, matched
    return twins


# ---- data -----------------------------------------------------------------------------------

@functools.cache
def _splits(name: str):
    return get_dataset(name, "train"), get_dataset(name, "heldout")


@pytest.fixture
def cifar_data(assignment):
    """Train and held-out splits of `[training] dataset`: the offline stand-in, or CIFAR-10
    under the data root with "cifar10" (the stand-in where it is absent). Held-out labels
    stay here."""
    return _splits(assignment.settings.training.dataset)
