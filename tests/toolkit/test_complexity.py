import pytest
import torch
from mnist_solution import load
from torch import nn

from grader.toolkit.complexity import (
    analytic_macs,
    flop_counter_flops,
    model_size_bytes,
    parameter_counts,
    saved_size_bytes,
    thop_macs,
)

models = load("models")
MNIST_INPUT = (1, 1, 28, 28)
# (model factory, parameters, analytic MACs, thop MACs): figures from the course.
CASES = {
    "logreg": (models.LogisticRegression, 7_850, 7_840, 7_840),
    "fc": (lambda: models.SimpleFC(dropout=0.5), 567_434, 566_528, 566_528),
    "cnn": (models.SimpleCNN, 50_186, 3_869_824, 3_869_824),
    "cnn_bn": (lambda: models.SimpleCNN(batch_norm=True), 50_250, 3_869_824, 3_894_912),
}


@pytest.fixture(params=CASES.values(), ids=CASES.keys())
def case(request):
    make, params, macs, thop = request.param
    torch.manual_seed(0)
    return make(), params, macs, thop


def test_parameter_counts(case):
    model, params, _, _ = case
    assert parameter_counts(model) == {"total": params, "trainable": params, "frozen": 0}


def test_macs_three_ways(case):
    model, _, macs, thop = case
    assert analytic_macs(model, MNIST_INPUT) == macs
    assert analytic_macs(model, MNIST_INPUT, count_norm=True) == thop
    assert thop_macs(model, MNIST_INPUT) == thop
    assert flop_counter_flops(model, MNIST_INPUT) == 2 * macs


def test_macs_scale_with_batch(case):
    model, _, macs, _ = case
    assert analytic_macs(model, (4, 1, 28, 28)) == 4 * macs


def test_thop_leaves_model_untouched(case):
    model, _, _, _ = case
    before = {k: v.clone() for k, v in model.state_dict().items()}
    thop_macs(model, MNIST_INPUT)
    after = model.state_dict()
    assert list(after) == list(before)
    assert not any("total_ops" in k or "total_params" in k for k in after)
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_counters_restore_training_mode(case):
    model, _, _, _ = case
    model.train()
    analytic_macs(model, MNIST_INPUT)
    flop_counter_flops(model, MNIST_INPUT)
    assert model.training and all(m.training for m in model.modules())


def test_model_size_counts_parameters_and_buffers():
    model = models.SimpleCNN(batch_norm=True)
    # float32 parameters, BN running mean and var (32 each) and an int64 step counter.
    assert model_size_bytes(model) == 50_250 * 4 + 64 * 4 + 8


def test_saved_sizes_are_close_to_the_payload():
    model = models.SimpleCNN()
    sizes = saved_size_bytes(model)
    payload = model_size_bytes(model)
    assert payload < sizes["torch"] < payload * 1.05
    assert payload < sizes["safetensors"] < payload * 1.05


class TwiceShared(nn.Module):
    """One Linear used twice plus a functional matmul: counters must tell these apart."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.frozen = nn.Linear(8, 8)
        self.frozen.requires_grad_(False)

    def forward(self, x):
        return self.frozen(self.fc(self.fc(x))) @ torch.ones(8, 8)


def test_shared_frozen_and_functional():
    model = TwiceShared()
    assert parameter_counts(model) == {"total": 144, "trainable": 72, "frozen": 72}
    assert analytic_macs(model, (1, 8)) == 3 * 64  # the shared layer counts per call
    assert thop_macs(model, (1, 8)) == 3 * 64
    assert flop_counter_flops(model, (1, 8)) == 2 * 4 * 64  # sees the matmul too


def test_grouped_conv_divides_input_channels():
    depthwise = nn.Conv2d(4, 8, 3, padding=1, groups=4)
    expected = 8 * (4 // 4) * 3 * 3 * 6 * 6  # Cout * Cin/groups * k*k * Hout*Wout
    assert analytic_macs(depthwise, (1, 4, 6, 6)) == expected == thop_macs(depthwise, (1, 4, 6, 6))
