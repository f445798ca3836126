"""Judge-side fixtures of cifar_resnet: seeded models, the judge's own architectures, data.

Any test with a `model_id` argument runs once per SimpleNN variant; with `option`,
once per ResNet-20 shortcut option.
"""

import functools
import importlib.util
from pathlib import Path

import pytest
import torch

from grader.judge.plugin import SESSION
from grader.toolkit import artifacts, heldout
from grader.toolkit.datasets import get_dataset
from grader.toolkit.layers import verified_structure

INPUT = (1, 3, 32, 32)
MODELS = {  # test id -> (class, constructor keyword arguments, canonical.simple_nn arguments)
    "SimpleNN": ("SimpleNN", {}, {}),
    "SimpleNN(batch_norm=True)": ("SimpleNN", {"batch_norm": True}, {"batch_norm": True}),
    "SimpleNN(activation='swish')": ("SimpleNN", {"activation": "swish"},
                                     {"activation": "swish"}),
}
OPTIONS = ["A", "B"]
# Trained to a threshold, by device class: ResNet-20 only where a GPU budget can train it.
TRAINED = {"cpu": ["SimpleNN"], "cuda": ["SimpleNN", "ResNet20"]}


def pytest_generate_tests(metafunc):
    if "model_id" in metafunc.fixturenames:
        metafunc.parametrize("model_id", list(MODELS))
    if "option" in metafunc.fixturenames:
        metafunc.parametrize("option", OPTIONS)
    if "trained_id" in metafunc.fixturenames:
        metafunc.parametrize("trained_id", TRAINED[metafunc.config.stash[SESSION].device])


def seed_from(rng: torch.Generator) -> int:
    return int(torch.randint(2**31, (1,), generator=rng))


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
def images(rng):
    """`images(n)`: random normalized-looking inputs, N x 3 x 32 x 32 float32."""
    return lambda n: torch.randn(n, *INPUT[1:], generator=rng)


@pytest.fixture
def build(submission, rng):
    """Construct a student model after seeding the worker, so its initial weights are fixed."""
    def build(model_id: str):
        cls, kwargs, _ = MODELS[model_id]
        submission.helpers.manual_seed(seed_from(rng))
        return getattr(submission.models, cls)(**kwargs)
    return build


@pytest.fixture
def build_resnet(submission, rng):
    def build(option: str):
        submission.helpers.manual_seed(seed_from(rng))
        return submission.models.ResNet20(shortcut=option)
    return build


@pytest.fixture
def structure(submission, images, rng):
    """`structure(model)`: the model as the judge rebuilt it, checked against its forward."""
    return lambda model: verified_structure(submission, model, images(8), seed=seed_from(rng))


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
def simple_twin(canonical, perturbed):
    """`simple_twin(model_id, model)`: the judge's SimpleNN variant holding the student's weights
    (perturbed first, in the student's model too)."""
    def twin(model_id: str, model) -> torch.nn.Module:
        net = canonical.simple_nn(**MODELS[model_id][2])
        return canonical.load_by_shape(net, perturbed(model), model_id)
    return twin


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


# ---- graded files -----------------------------------------------------------------------------

@pytest.fixture
def submitted(request, assignment):
    """`submitted(key)`: the path of the `[artifacts.<key>]` file in the submission, or a failure
    that says how to make it."""
    state = request.config.stash[SESSION]
    folder = state.submission_dir or assignment.submission

    def find(key: str) -> Path:
        artifact = assignment.settings.artifacts[key]
        return artifacts.find(folder, artifact.file, how=artifact.how)
    return find
