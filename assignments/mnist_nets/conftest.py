"""Judge-side fixtures of mnist_nets: canonical architectures, data, seeded model building.

Any test with a `model_id` argument runs once per model of the assignment.
"""


import pytest
import torch

from grader.toolkit.layers import sequential, verified_structure

CONV = [["Conv2d", 1, 32, 3, 1, 1], ["ReLU"], ["MaxPool2d", 2]]
CONV2 = [["Conv2d", 32, 64, 3, 1, 1], ["ReLU"], ["MaxPool2d", 2], ["Flatten"],
         ["Linear", 64 * 7 * 7, 10]]
# The assignment's architectures, as the judge builds them for itself.
CANONICAL = {
    "LogisticRegression": [["Flatten"], ["Linear", 784, 10]],
    "SimpleFC": [["Flatten"], ["Linear", 784, 512], ["ReLU"], ["Linear", 512, 256], ["ReLU"],
                 ["Linear", 256, 128], ["ReLU"], ["Linear", 128, 10]],
    "SimpleCNN": CONV + CONV2,
    "SimpleCNN(batch_norm=True)": [*CONV, ["BatchNorm2d", 32], *CONV2],
}
MODELS = {  # test id -> (class name, constructor keyword arguments)
    "LogisticRegression": ("LogisticRegression", {}),
    "SimpleFC": ("SimpleFC", {}),
    "SimpleCNN": ("SimpleCNN", {}),
    "SimpleCNN(batch_norm=True)": ("SimpleCNN", {"batch_norm": True}),
}


def pytest_generate_tests(metafunc):
    if "model_id" in metafunc.fixturenames:
        metafunc.parametrize("model_id", list(MODELS))


@pytest.fixture
def canonical():
    """The judge's own copy of an architecture: `canonical("SimpleFC")`."""
    return lambda model_id: sequential(CANONICAL[model_id])


def _load_by_shape(judge: torch.nn.Module, state: dict) -> torch.nn.Module:
    """Copy the student's tensors into the judge's model, matched by shape in order."""
    pool = list(state.values())
    target = judge.state_dict()
    for key, tensor in target.items():
        match = next((i for i, t in enumerate(pool) if t.shape == tensor.shape), None)
        assert match is not None, (f"no parameter or buffer of shape {tuple(tensor.shape)} "
                                   f"(needed for {key}) in your model")
        target[key] = pool.pop(match)
    judge.load_state_dict(target)
    return judge


@pytest.fixture
def judge_model(canonical):
    """`judge_model(model_id, state)`: the judge's architecture with the student's weights,
    or None when the weights do not fit it."""
    def load(model_id: str, state: dict) -> torch.nn.Module | None:
        try:
            return _load_by_shape(canonical(model_id).eval(), state)
        except AssertionError:
            return None
    return load


@pytest.fixture
def judge_twin(submission, canonical):
    """`judge_twin(model_id, model)`: the judge's model in eval mode with the student's weights."""
    def twin(model_id: str, model) -> torch.nn.Module:
        return _load_by_shape(canonical(model_id).eval(), submission.helpers.state_dict(model))
    return twin


@pytest.fixture
def build(submission, rng):
    """Construct a student model after seeding the worker, so its initial weights are fixed."""
    def build(model_id: str):
        cls, kwargs = MODELS[model_id]
        submission.helpers.manual_seed(int(torch.randint(2**31, (1,), generator=rng)))
        return getattr(submission.models, cls)(**kwargs)
    return build


@pytest.fixture
def structure(submission, images, rng):
    """`structure(model)`: the model as the judge rebuilt it, checked against its forward
    (`grader.toolkit.layers.verified_structure`); counts, layer lists and MACs come from it."""
    return lambda model: verified_structure(
        submission, model, images(8), seed=int(torch.randint(2**31, (1,), generator=rng)))


@pytest.fixture
def images(rng):
    """`images(n)`: random normalized-looking inputs, N x 1 x 28 x 28 float32."""
    return lambda n: torch.randn(n, 1, 28, 28, generator=rng)
