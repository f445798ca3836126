"""Judge-side fixtures of mnist_nets: canonical architectures, data, seeded model building.

Any test with a `model_id` argument runs once per model of the assignment.
"""


import pytest
import torch

from grader.kit.fixtures import Model, model_fixtures
from grader.kit.forward import drawn_twin, pair_by_shape
from grader.toolkit.layers import sequential

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
MODELS = {
    "LogisticRegression": Model("models", "LogisticRegression"),
    "SimpleFC": Model("models", "SimpleFC"),
    "SimpleCNN": Model("models", "SimpleCNN"),
    "SimpleCNN(batch_norm=True)": Model("models", "SimpleCNN", {"batch_norm": True}),
}
build, images, structure = model_fixtures(MODELS, input_shape=(1, 28, 28))


def pytest_generate_tests(metafunc):
    if "model_id" in metafunc.fixturenames:
        metafunc.parametrize("model_id", list(MODELS))


@pytest.fixture
def canonical():
    """The judge's own copy of an architecture: `canonical("SimpleFC")`."""
    return lambda model_id: sequential(CANONICAL[model_id])


@pytest.fixture
def judge_model(canonical):
    """`judge_model(model_id, state)`: the judge's architecture with the student's weights,
    or None when the weights do not fit it."""
    def load(model_id: str, state: dict) -> torch.nn.Module | None:
        judge = canonical(model_id).eval()
        try:
            pairs = pair_by_shape(judge.state_dict(), state)
        except AssertionError:
            return None
        judge.load_state_dict({key: state[pairs[key]] for key in pairs})
        return judge
    return load


@pytest.fixture
def judge_twin(submission, canonical, rng):
    """`judge_twin(model_id, model)`: the judge's model with weights it drew, the same weights
    loaded into the student's `model` (`grader.kit.forward.drawn_twin`)."""
    return lambda model_id, model: drawn_twin(submission, canonical(model_id), model, rng)
