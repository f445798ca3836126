"""quantize_model, graded with the course's rubric on a trained float net the judge owns.

The float net is SimpleNet's reference layers, trained by pretrain.py
(simple_net.safetensors). The judge measures everything itself: the size of
the saved state dict (whose int8 weights must be those of the float net), the
accuracy of both models on held-out scenes (the quantized model's predictions
come from the worker in a secret order with noisy copies), and the CPU time
of both forwards, interleaved, as a ratio.
"""

import io

import pytest
import torch

from grader.toolkit import checks, heldout, timing
from grader.toolkit.datasets import to_float
from grader.toolkit.layers import sequential
from grader.toolkit.training import predict

MAX_SIZE_RATIO = 0.5        # the course's rubric: more than 50% smaller,
MAX_ACCURACY_DROP = 0.05    # less than 5 points of accuracy lost,
MAX_TIME_RATIO = 0.9        # more than 10% faster on the CPU
BATCH = 64                  # one image at a time is too noisy to time

# torch.load of quantized tensors warns about torch's own deprecated internals
pytestmark = pytest.mark.filterwarnings("ignore:.*(TypedStorage|quantized tensor creation)")


@pytest.fixture
def float_net(submission, shipped_network):
    """The judge's trained float net, and the same net built in the worker, left in training
    mode as a training loop leaves it (it has no dropout or batch norm: same outputs)."""
    spec, state = shipped_network("simple_net.safetensors")
    judge = sequential(spec).eval()
    judge.load_state_dict(state)
    return judge, submission.helpers.build_module(spec, state)


@pytest.fixture
def quantized(submission, float_net, training_data, rng):
    """quantize_model's copy of the worker's float net, calibrated on 256 training scenes."""
    train_set, _ = training_data
    chosen = torch.randperm(len(train_set), generator=rng)[:256]
    calibration = to_float(train_set.images[chosen], train_set.mean, train_set.std)
    return submission.quantization.quantize_model(float_net[1], calibration)


def saved_size(state: dict) -> int:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return len(buffer.getvalue())


def quantized_tensors(value) -> list[torch.Tensor]:
    """Every quantized tensor in a loaded state dict (Linear layers keep theirs in tuples)."""
    if isinstance(value, dict | list | tuple):
        items = value.values() if isinstance(value, dict) else value
        return [t for item in items for t in quantized_tensors(item)]
    return [value] if isinstance(value, torch.Tensor) and value.is_quantized else []


def step(q: torch.Tensor) -> float:
    """The largest quantization step of a quantized tensor."""
    if q.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        return q.q_per_channel_scales().max().item()
    return q.q_scale()


def float_weights_without_int8_copy(judge: torch.nn.Module, state: dict) -> list[str]:
    """The float net's weights that no int8 tensor of the quantized state stands for."""
    pool = quantized_tensors(state)
    missing = []
    for name, weight in judge.state_dict().items():
        if not name.endswith("weight"):
            continue
        match = next((i for i, q in enumerate(pool) if q.shape == weight.shape and
                      (q.dequantize() - weight).abs().max() <= 0.51 * step(q) + 1e-6), None)
        if match is None:
            missing.append(f"{name} {tuple(weight.shape)}")
        else:
            pool.pop(match)
    return missing


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    return (predictions == labels).double().mean().item()


@pytest.mark.weight(2)
@pytest.mark.number("9.3")
def test_quantized_size(submission, float_net, quantized, images):
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
    data = checks.check_array(submission.helpers.saved_state(quantized), dtype="uint8",
                              name="saved state dict").tobytes()
    try:
        state = torch.load(io.BytesIO(data), weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to load is the submission's
        raise AssertionError(f"the quantized model's state dict could not be loaded back with "
                             f"torch.load(weights_only=True): {exc}") from None
    float_size = saved_size(judge.state_dict())
    assert len(data) < MAX_SIZE_RATIO * float_size, (
        f"the quantized model's state dict saves to {len(data):,} bytes, the float model's to "
        f"{float_size:,}: more than half. Convert the Conv2d and Linear layers to int8")
    missing = float_weights_without_int8_copy(judge, state)
    assert not missing, (
        f"no int8 weights in the quantized model's state dict stand for the float layers "
        f"{missing}: quantize every Conv2d and Linear layer (QuantStub and DeQuantStub around "
        "the model, a qconfig, prepare, calibrate, convert)")


@pytest.mark.weight(3)
@pytest.mark.number("9.4")
def test_quantized_accuracy(submission, float_net, quantized, training_data, rng):
    """The quantized copy loses less than 5 points of held-out accuracy"""
    judge, _ = float_net
    train_set, held = training_data
    expected = accuracy(predict(judge, held.images, mean=train_set.mean, std=train_set.std),
                        held.labels)
    predictions = heldout.worker_predictions(
        lambda shown: submission.helpers.predict(quantized, shown, mean=train_set.mean,
                                                 std=train_set.std, device="cpu"),
        held.images, seed=int(torch.randint(2**31, (1,), generator=rng)))
    found = accuracy(predictions, held.labels)
    assert found > expected - MAX_ACCURACY_DROP, (
        f"the quantized model reached {found:.2%} held-out accuracy, the float model "
        f"{expected:.2%}: a drop of more than {MAX_ACCURACY_DROP:.0%}. Calibrate the observers "
        "by running the calibration images through the prepared model before convert")


@pytest.mark.timing
@pytest.mark.weight(2)
@pytest.mark.number("9.5")
def test_quantized_speed(submission, float_net, quantized, training_data, rng):
    """The quantized copy runs a batch of 64 in at most 90% of the float net's CPU time"""
    engine = torch.backends.quantized.engine
    if engine not in torch.backends.quantized.supported_engines or engine == "none":
        pytest.skip("this machine's PyTorch has no quantized CPU engine to time")
    judge, remote = float_net
    train_set = training_data[0]
    answers = []

    def inputs(i):  # fresh scenes each call; every answer is checked after the clock
        chosen = torch.randint(len(train_set), (BATCH,), generator=rng)
        return (to_float(train_set.images[chosen], train_set.mean, train_set.std),)

    def run_quantized(x):
        answers.append((x, quantized(x)))

    result = timing.compare(run_quantized, remote, inputs, warmup=2, repeats=7)
    with torch.no_grad():
        agreement = sum(accuracy(out.argmax(1), judge(x).argmax(1)) for x, out in answers)
    assert agreement / len(answers) >= 0.9, (
        "the quantized model's timed answers disagree with the float model's on more than "
        "10% of the scenes")
    timing.check_quiet(result, "the float model")
    assert result.ratio <= MAX_TIME_RATIO, (
        f"the quantized model took {result.ratio:.2f}x the float model's time per batch of "
        f"{BATCH} ({result.candidate_median_s * 1000:.1f} ms vs "
        f"{result.reference_median_s * 1000:.1f} ms); at most {MAX_TIME_RATIO:g}x is allowed")
