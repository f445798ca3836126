"""The judge's rebuild of a student's model: accepted only when it computes the same function."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader.toolkit.drawn import draw_weights
from grader.toolkit.layers import (
    Structure,
    StructureError,
    describe_layers,
    load_network,
    save_network,
    sequential,
    verified_structure,
)
from grader.worker import helpers

# The worker's helpers called directly, as the in-process backend calls them.
LOCAL = SimpleNamespace(helpers=SimpleNamespace(
    describe=helpers.describe, load_state=helpers.load_state, manual_seed=helpers.manual_seed))


class TwoLayer(nn.Module):
    def __init__(self, functional_relu=False, dropout=0.0):
        super().__init__()
        self.fc1, self.act, self.drop, self.fc2 = (nn.Linear(12, 8), nn.ReLU(),
                                                   nn.Dropout(dropout), nn.Linear(8, 3))
        self.functional_relu = functional_relu

    def forward(self, x):
        hidden = self.fc1(x.flatten(1))
        hidden = torch.relu(hidden) ** 2 if self.functional_relu else self.act(hidden)
        return self.fc2(self.drop(hidden))


class SharedReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.relu = nn.Linear(12, 6), nn.Linear(6, 2), nn.ReLU()

    def forward(self, x):
        return self.relu(self.b(self.relu(self.a(x.flatten(1)))))


def description(model, input_size=(1, 3, 2, 2)):
    return {"layers": describe_layers(model, input_size),
            "state": {k: v.clone() for k, v in model.state_dict().items()},
            "trainable": {n: p.requires_grad for n, p in model.named_parameters()}}


def verified(model, **changes):
    found = {**description(model), **changes}
    rebuilt = Structure.rebuild(found)
    model.eval()

    def train_forward(seed, x):
        torch.manual_seed(seed)
        out = model.train()(x)
        model.eval()
        return out

    rebuilt.verify(model, torch.randn(5, 3, 2, 2), seed=7, train_forward=train_forward)
    return rebuilt


def test_layers_in_call_order_with_the_flatten_rebuilt():
    rebuilt = verified(TwoLayer(dropout=0.5))
    assert rebuilt.layer_types() == ["Linear", "ReLU", "Dropout", "Linear"]
    assert rebuilt.counts() == {"total": 12 * 8 + 8 + 8 * 3 + 3, "trainable": 131, "frozen": 0}
    assert rebuilt.macs((1, 3, 2, 2)) == 12 * 8 + 8 * 3


def test_flatten_and_identity_modules_are_not_listed_as_computing_layers():
    """nn.Flatten and nn.Identity do what x.flatten(1) and nothing do: the same layer list."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Identity(), nn.ReLU(),
                          nn.Linear(8, 3))
    rebuilt = verified(model)
    assert rebuilt.layer_types() == ["Linear", "ReLU", "Linear"]
    assert [layer["type"] for layer in rebuilt.layers] == [
        "Flatten", "Linear", "Identity", "ReLU", "Linear"]


def test_a_shared_layer_is_listed_per_call_and_counted_once():
    rebuilt = verified(SharedReLU())
    assert rebuilt.layer_types() == ["Linear", "ReLU", "Linear", "ReLU"]
    assert rebuilt.counts()["total"] == 12 * 6 + 6 + 6 * 2 + 2


def test_reported_weights_that_the_model_does_not_use_are_rejected():
    model = TwoLayer()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["fc2.weight"] = torch.zeros_like(state["fc2.weight"])
    with pytest.raises(StructureError, match="does not compute what yours computes"):
        verified(model, state=state)


def test_a_hidden_layer_cannot_be_left_out_of_the_report():
    model = TwoLayer()
    found = description(model)
    found["layers"] = [layer for layer in found["layers"] if layer["name"] != "act"]
    with pytest.raises(StructureError, match=r"\(Linear, Dropout, Linear\)"):
        verified(model, layers=found["layers"])


def test_a_functional_step_cannot_be_rebuilt():
    with pytest.raises(StructureError, match="nn.Module layer called in forward"):
        verified(TwoLayer(functional_relu=True))


def test_dropout_is_checked_in_training_mode():
    model = TwoLayer(dropout=0.5)
    found = description(model)
    for layer in found["layers"]:
        if layer["type"] == "Dropout":
            layer["config"] = {"p": 0.1}  # a claim the eval-mode check alone cannot see
    with pytest.raises(StructureError, match="in training mode"):
        verified(model, layers=found["layers"])


def test_layers_the_judge_cannot_build_are_named():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(2))

        def forward(self, x):
            return x * self.weight

    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2), Scale())
    with pytest.raises(StructureError, match="cannot rebuild your layer 2 \\(Scale\\)"):
        verified(model)


def test_weights_of_the_wrong_shape_are_named():
    model = TwoLayer()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["fc1.weight"] = torch.zeros(8, 13)
    with pytest.raises(StructureError, match="weights reported for your layer fc1"):
        verified(model, state=state)


def test_a_network_file_keeps_its_spec_and_weights(tmp_path):
    spec = [["Conv2d", 1, 2, 3], ["ReLU"], ["Flatten"], ["Linear", 8, 3]]
    net = sequential(spec)
    save_network(tmp_path / "net.safetensors", spec, net.state_dict(), torch.float16)
    loaded_spec, state = load_network(tmp_path / "net.safetensors")
    assert loaded_spec == spec
    for key, value in net.state_dict().items():
        assert state[key].dtype == torch.float32
        torch.testing.assert_close(state[key], value.half().float())


class OutputsZerosReportsZeroWeights(TwoLayer):
    """Outputs zeros and reports a last layer of zeros, which fits them."""

    def forward(self, x):
        return super().forward(x) * 0

    def state_dict(self, *args, **kwargs):
        state = super().state_dict(*args, **kwargs)
        return {**state, "fc2.weight": torch.zeros(3, 8), "fc2.bias": torch.zeros(3)}


class HeldTwice(nn.Module):
    """fc1 is an attribute and the first item of body: its weights are reported twice."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 8)
        self.body = nn.Sequential(self.fc1, nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.body(x.flatten(1))


def test_reported_weights_that_fit_a_model_ignoring_its_weights_are_rejected():
    model = OutputsZerosReportsZeroWeights()
    verified(model)  # the reported weights alone fit what it outputs
    with pytest.raises(StructureError, match="weights the grader drew"):
        verified_structure(LOCAL, model, torch.randn(5, 3, 2, 2), seed=3)


@pytest.mark.parametrize("model", [TwoLayer(dropout=0.5), HeldTwice(), sequential(
    [["Conv2d", 3, 4, 1], ["BatchNorm2d", 4], ["ReLU"], ["Flatten"], ["Linear", 16, 2]])],
    ids=["dropout", "held-twice", "batch-norm"])
def test_drawn_weights_bind_the_structure_and_the_students_weights_go_back(model):
    before = {key: value.clone() for key, value in model.state_dict().items()}
    rebuilt = verified_structure(LOCAL, model, torch.randn(5, 3, 2, 2), seed=3)
    after = model.state_dict()
    assert all(torch.equal(after[key], value) for key, value in before.items())
    assert all(torch.equal(rebuilt.state[key], value) for key, value in before.items())


def test_drawn_weights_depend_on_the_generator_and_keep_a_usual_scale():
    net = nn.Sequential(nn.Linear(100, 10), nn.BatchNorm1d(10))
    first = draw_weights(net, torch.Generator().manual_seed(1)).state_dict()
    first = {key: value.clone() for key, value in first.items()}
    second = draw_weights(net, torch.Generator().manual_seed(2)).state_dict()
    assert not torch.equal(first["0.weight"], second["0.weight"])
    assert first["0.weight"].abs().max() <= 0.1  # +-1/sqrt(fan-in)
    assert first["1.running_var"].min() >= 0.5
