"""Judge-side fixtures of mnist_nets: canonical architectures, data, seeded model building.

Any test with a `model_id` argument runs once per model of the assignment.
"""


import pytest
import torch

from grader.toolkit.drawn import draw_weights, replace_weights
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


def _pair_by_shape(judge: dict, student: dict) -> dict[str, str]:
    """The judge's state keys -> the student's keys of the same shapes, matched in order."""
    pool = list(student.items())
    pairs = {}
    for key, tensor in judge.items():
        match = next((i for i, (_, t) in enumerate(pool) if t.shape == tensor.shape), None)
        assert match is not None, (f"no parameter or buffer of shape {tuple(tensor.shape)} "
                                   f"(needed for {key}) in your model")
        pairs[key] = pool.pop(match)[0]
    return pairs


@pytest.fixture
def judge_model(canonical):
    """`judge_model(model_id, state)`: the judge's architecture with the student's weights,
    or None when the weights do not fit it."""
    def load(model_id: str, state: dict) -> torch.nn.Module | None:
        judge = canonical(model_id).eval()
        try:
            pairs = _pair_by_shape(judge.state_dict(), state)
        except AssertionError:
            return None
        judge.load_state_dict({key: state[pairs[key]] for key in pairs})
        return judge
    return load


@pytest.fixture
def judge_twin(submission, canonical, rng):
    """`judge_twin(model_id, model)`: the judge's model in eval mode with weights drawn from the
    test's generator, the same weights loaded into the student's `model`.

    The student's state_dict only names the weights (matched to the judge's by shape, in
    order); their values are the judge's, so a model that ignores its weights, or reports
    others than it computes with, cannot compute what the judge's model computes.
    """
    def twin(model_id: str, model) -> torch.nn.Module:
        judge = draw_weights(canonical(model_id).eval(), rng)
        student, drawn = submission.helpers.state_dict(model), judge.state_dict()
        pairs = _pair_by_shape(drawn, student)
        submission.helpers.load_state(model, replace_weights(
            student, {name: drawn[key] for key, name in pairs.items()}))
        return judge
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
