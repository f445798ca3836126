"""quantize_model, graded with the course's rubric on a trained float net the judge owns.

The float net is SimpleNet's reference layers, trained by pretrain.py
(simple_net.safetensors). What the quantized model says of itself is a claim:
the judge rebuilds an int8 network of the float net's layout from the weights,
scales and zero points of its state dict and accepts it only if the rebuild
computes what the student's model computes on fresh scenes
(`grader.toolkit.quantized`). The judge then measures everything itself: the
size of its rebuild's state dict, the held-out accuracy of its rebuild and of the
float net, and the CPU time of the student's quantized model against the float
net in the reference's own worker, interleaved, as a ratio.
"""

import pytest
import torch

from grader.kit.timing import check_forward_speed
from grader.toolkit import checks
from grader.toolkit import quantized as int8
from grader.toolkit.datasets import to_float
from grader.toolkit.layers import sequential
from grader.toolkit.training import predict

MAX_SIZE_RATIO = 0.5        # the course's rubric: more than 50% smaller,
MAX_ACCURACY_DROP = 0.05    # less than 5 points of accuracy lost,
# and more than 10% faster. The rebuild check already requires int8 arithmetic, so this limit
# need not tell int8 from float (int8 runs this net in about a third of the float time).
MAX_TIME_RATIO = 0.9
BATCH = 64                  # one image at a time is too noisy to time
CHECKED = 16                # fresh scenes the rebuild must agree on

# torch.load of quantized tensors warns about torch's own deprecated internals
pytestmark = pytest.mark.filterwarnings("ignore:.*(TypedStorage|quantized tensor creation)")


@pytest.fixture
def network(shipped_network):
    """The float net's layer spec and trained weights."""
    return shipped_network("simple_net.safetensors")


@pytest.fixture
def float_net(submission, network):
    """The judge's trained float net, and the same net built in the worker, left in training
    mode as a training loop leaves it (it has no dropout or batch norm: same outputs)."""
    spec, state = network
    judge = sequential(spec).eval()
    judge.load_state_dict(state)
    return judge, submission.helpers.build_module(spec, state)


@pytest.fixture
def scenes(training_data, rng):
    """`scenes(n)`: n training scenes the judge draws, normalized as the nets take them."""
    train_set = training_data[0]

    def draw(n: int) -> torch.Tensor:
        chosen = torch.randint(len(train_set), (n,), generator=rng)
        return to_float(train_set.images[chosen], train_set.mean, train_set.std)
    return draw


@pytest.fixture
def quantized(submission, float_net, scenes):
    """quantize_model's copy of the worker's float net, calibrated on 256 training scenes."""
    return submission.quantization.quantize_model(float_net[1], scenes(256))


@pytest.fixture
def rebuild(submission, network, float_net, quantized, scenes):
    """`rebuild()`: the judge's int8 rebuild of the quantized model, checked against its outputs
    on fresh scenes (a test failure when it does not compute what the model computes)."""
    def verified() -> torch.nn.Module:
        data = checks.check_array(submission.helpers.saved_state(quantized), dtype="uint8",
                                  name="saved state dict").tobytes()
        return int8.verified_rebuild(network[0], float_net[0], int8.load_state(data), forward,
                                     scenes(CHECKED))

    def forward(x):
        return checks.check_tensor(quantized(x), shape=(len(x), 15), dtype=torch.float32,
                                   name="the quantized model's output",
                                   hint="float logits: DeQuantStub at the end")
    return verified


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    return (predictions == labels).double().mean().item()


@pytest.mark.weight(2)
@pytest.mark.number("9.3")
def test_quantized_size(float_net, rebuild, images):
    """The quantized copy saves to less than half the float net's size, with its weights in int8"""
    judge, remote = float_net
    x = images(4)
    with torch.no_grad():
        checks.check_close(remote(x), judge(x), rtol=1e-5, atol=1e-6,
                           name="the float model's output after quantize_model",
                           hint="quantize a copy (copy.deepcopy): the model given stays unchanged")
    assert remote.training, ("quantize_model switched the model it was given to eval mode; "
                             "switch a copy (copy.deepcopy(model).eval()): the model given stays "
                             "unchanged")
    size = int8.saved_size(rebuild().state_dict())
    float_size = int8.saved_size(judge.state_dict())
    assert size < MAX_SIZE_RATIO * float_size, (
        f"the quantized model's weights save to {size:,} bytes, the float model's to "
        f"{float_size:,}: more than half. Convert the Conv2d and Linear layers to int8")


@pytest.mark.weight(3)
@pytest.mark.number("9.4")
def test_quantized_accuracy(float_net, rebuild, training_data):
    """The quantized copy loses less than 5 points of held-out accuracy"""
    judge, _ = float_net
    train_set, held = training_data
    expected = accuracy(predict(judge, held.images, mean=train_set.mean, std=train_set.std),
                        held.labels)
    # The rebuild computes what the student's model computes: the judge predicts with it.
    found = accuracy(predict(rebuild(), held.images, mean=train_set.mean, std=train_set.std),
                     held.labels)
    assert found > expected - MAX_ACCURACY_DROP, (
        f"the quantized model reached {found:.2%} held-out accuracy, the float model "
        f"{expected:.2%}: a drop of more than {MAX_ACCURACY_DROP:.0%}. Calibrate the observers "
        "by running the calibration images through the prepared model before convert")


@pytest.mark.timing
@pytest.mark.weight(2)
@pytest.mark.number("9.5")
def test_quantized_speed(submission, reference, network, quantized, rebuild, scenes):
    """The quantized copy runs a batch of 64 in at most 90% of the float net's CPU time"""
    engine = torch.backends.quantized.engine
    if engine not in torch.backends.quantized.supported_engines or engine == "none":
        pytest.skip("this machine's PyTorch has no quantized CPU engine to time")
    twin = rebuild()

    def same_as_before(args, output):
        checks.check_tensor(output, shape=(BATCH, 15), dtype=torch.float32, name="timed output")
        assert int8.agrees(twin, args[0], output), (
            "the quantized model's timed outputs are not what it computed before: the model "
            "timed must be the one quantize_model returned")

    float_model = reference.helpers.build_module(*network).eval()  # in the reference's worker
    check_forward_speed(submission, quantized, reference, float_model, lambda i: (scenes(BATCH),),
                        same_as_before, max_ratio=MAX_TIME_RATIO, what="the quantized model",
                        against="the float model's", per=f"per batch of {BATCH}")
