"""SimpleNN and Swish: shapes, exact counts, layer order, the specified function, gradients."""

import pytest
import torch

from grader.kit import SubmissionError
from grader.kit.fixtures import seed_from
from grader.kit.forward import output_shape_test
from grader.toolkit import checks
from grader.toolkit.complexity import analytic_macs

PARAMETERS = {"SimpleNN": 82_030, "SimpleNN(batch_norm=True)": 82_078}
MACS = 716_328  # conv and linear layers; batch norm, activations and pooling are free
INPUT = (1, 3, 32, 32)
PLAIN = ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d",
         "Linear", "ReLU", "Linear", "ReLU", "Linear"]


test_output_shape = output_shape_test(
    10, number="1.1", weight=3, title="Model maps a batch of CIFAR images to one logit per class",
    hint="two conv blocks take 32 x 32 to 16 x 6 x 6 = 576 features")


@pytest.mark.weight(4, split=True)
@pytest.mark.number("1.2")
@pytest.mark.parametrize("counted", list(PARAMETERS))
def test_parameter_count_and_macs(build, structure, counted):
    """SimpleNN has exactly the specified parameters and multiply-accumulates"""
    rebuilt = structure(build(counted))
    checks.check_equal(rebuilt.counts()["total"], PARAMETERS[counted],
                       name=f"{counted} parameters",
                       hint="compare your layers with the architecture in the docstring")
    # The course counts conv and linear layers only (thop's convention without batch norm).
    checks.check_equal(analytic_macs(rebuilt.model, INPUT, count_norm=False), MACS,
                       name=f"{counted} MACs per image (conv and linear layers)",
                       hint="convolutions have no padding; each block ends in MaxPool2d(2)")


@pytest.mark.weight(4)
@pytest.mark.number("1.3")
def test_layer_order(submission, structure):
    """SimpleNN's layers in order; with batch_norm, each BatchNorm2d between its conv and ReLU"""
    plain = structure(submission.models.SimpleNN()).layer_types()
    checks.check_equal(plain, PLAIN, name="SimpleNN's layers in call order",
                       hint="use nn.ReLU modules (not F.relu), in the order of the docstring")
    normed = structure(submission.models.SimpleNN(batch_norm=True)).layer_types()
    expected = PLAIN[:1] + ["BatchNorm2d"] + PLAIN[1:4] + ["BatchNorm2d"] + PLAIN[4:]
    checks.check_equal(normed, expected, name="SimpleNN(batch_norm=True)'s layers in call order",
                       hint="batch norm goes right after each convolution, before its activation")


@pytest.mark.weight(3)
@pytest.mark.number("1.5")
def test_swish_values(submission, rng):
    """Swish computes x * sigmoid(x) elementwise and has no parameters"""
    swish = submission.models.Swish()

    def check_values(name: str, hint: str) -> None:
        x = torch.cat([torch.randn(3, 4, 5, generator=rng) * 4,
                       torch.tensor([-80.0, -20.0, 0.0, 20.0, 80.0]).expand(3, 1, 5)], dim=1)
        checks.check_close(checks.check_tensor(swish(x), shape=x.shape, name=name),
                           x * torch.sigmoid(x), rtol=1e-5, atol=1e-6, name=name, hint=hint)

    check_values("Swish output", "x * torch.sigmoid(x); large |x| must not overflow to NaN")
    # No parameters, by behaviour: training steps through it leave its function as it was.
    shapes = {"0.weight": (12, 6), "0.bias": (12,), "2.weight": (4, 12), "2.bias": (4,)}
    net = submission.helpers.around(swish, 6, 12, 4, {
        key: torch.randn(shape, generator=rng) / 2 for key, shape in shapes.items()})
    for _ in range(3):
        submission.helpers.plain_sgd_step(net, torch.randn(16, 6, generator=rng) * 2,
                                          torch.randint(4, (16,), generator=rng), 1.0)
    check_values("Swish output after training steps through it",
                 "Swish has no parameters: x * sigmoid(x), with nothing a training step changes")


@pytest.mark.weight(3)
@pytest.mark.number("1.6")
def test_swish_gradient(submission, rng):
    """A training step through Swish moves the weights as autograd of x * sigmoid(x) would"""
    torch.manual_seed(seed_from(rng))
    judge = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.SiLU(), torch.nn.Linear(12, 4))
    net = submission.helpers.around(submission.models.Swish(), 6, 12, 4, judge.state_dict())
    x, y = torch.randn(16, 6, generator=rng) * 2, torch.randint(4, (16,), generator=rng)
    submission.helpers.plain_sgd_step(net, x, y, 0.5)
    loss = torch.nn.functional.cross_entropy(judge(x), y)
    loss.backward()
    with torch.no_grad():
        for p in judge.parameters():
            p -= 0.5 * p.grad
    stepped = submission.helpers.state_dict(net)
    hint = ("the gradient of x * sigmoid(x) is sigmoid(x) * (1 + x * (1 - sigmoid(x))); "
            "let autograd compute it from the formula rather than writing a backward")
    checks.check_close(stepped["0.weight"], judge[0].weight, rtol=1e-4, atol=1e-6,
                       name="first layer's weights after a step through your Swish", hint=hint)
    x = torch.randn(8, 6, generator=rng)  # the stepped weights must be the ones the net uses
    with torch.no_grad():
        checks.check_close(net(x), judge(x), rtol=1e-4, atol=1e-5, name="output after the step",
                           hint=hint)


@pytest.mark.weight(2)
@pytest.mark.number("1.7")
def test_make_activation(submission, rng):
    """make_activation gives a fresh ReLU or Swish, and refuses other names"""
    x = torch.randn(4, 9, generator=rng) * 4
    # Swish is compared with the student's own (1.5 grades what it computes), so a wrong
    # Swish costs its points once.
    for name, expected, hint in (("relu", torch.relu(x), "nn.ReLU()"),
                                 ("swish", submission.models.Swish()(x), "your Swish()")):
        activation = submission.models.make_activation(name)
        assert activation.isinstance_of("torch.nn.Module"), (
            f"make_activation({name!r}) gave a {activation.type_name}; expected a module, "
            "to place inside nn.Sequential")
        checks.check_close(activation(x), expected, rtol=1e-6, atol=1e-7,
                           name=f"make_activation({name!r}) applied to a tensor", hint=hint)
    try:
        other = submission.models.make_activation("tanh")
    except SubmissionError as exc:
        assert "ValueError" in str(exc), f"make_activation('tanh') should raise ValueError: {exc}"
    else:
        raise AssertionError(f"make_activation('tanh') returned a {other.type_name}; an unknown "
                             "name must raise ValueError")
