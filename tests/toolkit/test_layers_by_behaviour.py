"""Parameter-free steps of a student's model: any torch.nn layer is rebuilt from its arguments;
a class of the student's own, or a functional step of the forward, is matched by what it computes.
Every match is then bound by the usual check: the rebuild must compute what the model does."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader.toolkit.layers import Structure, StructureError, describe_layers, identify

INPUT = (1, 2, 8, 8)


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


class Leaky(nn.Module):
    def forward(self, x):
        return torch.where(x > 0, x, 0.2 * x)


class Squared(nn.Module):
    def forward(self, x):
        return x * x


class MyDropout(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.5, self.training)


def net(*middle: nn.Module, head: nn.Module | None = None) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(inplace=True), *middle,
                         head or nn.Sequential(nn.Flatten(), nn.Linear(3 * 6 * 6, 4)))


class Functional(nn.Module):
    """Activations the forward computes itself, between and after its layers."""

    def __init__(self):
        super().__init__()
        self.conv, self.fc1, self.fc2 = nn.Conv2d(2, 3, 3), nn.Linear(108, 10), nn.Linear(10, 4)

    def forward(self, x):
        x = F.leaky_relu(self.conv(x), 0.1).flatten(1)
        return F.log_softmax(self.fc2(torch.tanh(self.fc1(x))), dim=1)


def description(model: nn.Module) -> dict:
    return {"layers": describe_layers(model, INPUT),
            "state": {k: v.clone() for k, v in model.state_dict().items()},
            "trainable": {n: p.requires_grad for n, p in model.named_parameters()}}


def verified(model: nn.Module, found: dict | None = None) -> Structure:
    rebuilt = Structure.rebuild(found or description(model))

    def train_forward(seed, x):
        torch.manual_seed(seed)
        out = model.train()(x)
        model.eval()
        return out

    rebuilt.verify(model.eval(), torch.randn(6, *INPUT[1:]), seed=11, train_forward=train_forward)
    return rebuilt


@pytest.mark.parametrize("layer", [
    nn.Dropout2d(0.3), nn.GELU(approximate="tanh"), nn.ELU(alpha=0.5), nn.Hardtanh(-2.0, 2.0),
    nn.Softplus(beta=2.0), nn.Upsample(scale_factor=2.0), nn.ZeroPad2d(1), nn.AvgPool2d(2),
    nn.PixelShuffle(1), nn.Softmax2d(),
], ids=lambda layer: type(layer).__name__)
def test_any_parameter_free_torch_layer_is_rebuilt_from_its_arguments(layer):
    head = nn.Sequential(nn.Flatten(), nn.LazyLinear(4))
    model = net(layer, head=head)
    model(torch.zeros(INPUT))  # the lazy head learns its size
    rebuilt = verified(model)
    assert type(layer).__name__ in rebuilt.layer_types()
    assert not any("written_as" in entry for entry in rebuilt.layers)


def test_classes_of_the_students_own_are_listed_as_the_torch_layer_they_compute():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), Leaky(), Swish(), Flatten(), nn.Linear(108, 4))
    rebuilt = verified(model)
    assert rebuilt.layer_types() == ["Conv2d", "LeakyReLU", "SiLU", "Linear"]
    written = {entry["written_as"]: entry["type"] for entry in rebuilt.layers
               if "written_as" in entry}
    assert written == {"Swish": "SiLU", "Leaky": "LeakyReLU", "Flatten": "Identity"}
    assert next(entry for entry in rebuilt.layers
                if entry["type"] == "LeakyReLU")["config"]["negative_slope"] == pytest.approx(0.2)


def test_functional_steps_between_and_after_layers_are_matched():
    rebuilt = verified(Functional())
    assert rebuilt.layer_types() == ["Conv2d", "Linear", "Linear"]  # steps, not layers
    assert rebuilt.macs(INPUT) == 3 * 2 * 9 * 36 + 108 * 10 + 10 * 4


def test_in_place_layers_leave_no_gap_between_layers():
    layers = describe_layers(net(nn.Hardswish(inplace=True), nn.ReLU(inplace=True)), INPUT)
    assert not [entry["name"] for entry in layers
                if {"gap", "gap_after", "probe"} & entry.keys()]


def test_a_class_of_ones_own_that_computes_no_torch_layer_is_named():
    with pytest.raises(StructureError, match=r"your layer 2 \(Squared\) has no weights.*"
                                             r"matched no parameter-free torch.nn layer"):
        verified(net(Squared()))


def test_a_dropout_of_ones_own_fails_the_training_mode_check():
    with pytest.raises(StructureError, match="in training mode"):
        verified(net(MyDropout(), nn.Dropout(0.5)))


def test_a_false_probe_is_caught_by_the_forward_check():
    model = net(Swish())
    found = description(model)
    probe = next(entry for entry in found["layers"] if entry["type"] == "Swish")["probe"]
    probe["output"] = probe["input"].clone()  # claims Swish passes its input on
    with pytest.raises(StructureError, match="does not compute what yours computes"):
        verified(model, found)


@pytest.mark.parametrize("claim", [{"type": "Embedding", "config": {"num_embeddings": 10**9,
                                                                   "embedding_dim": 10**9}},
                                   {"type": "Sequential", "config": {}},
                                   {"type": "grader", "config": {}}], ids=lambda c: c["type"])
def test_claimed_torch_layers_with_weights_or_outside_torch_nn_are_refused(claim):
    model = net(nn.Tanh())
    found = description(model)
    found["layers"][2].update(claim)
    with pytest.raises(StructureError):
        Structure.rebuild(found)


def test_identify_needs_the_same_number_of_values():
    x = torch.randn(1, 3, 4)
    assert isinstance(identify(x, x.reshape(1, 12)), nn.Identity)
    assert identify(x, x.expand(2, 3, 4)) is None
    assert identify(None, x) is None
