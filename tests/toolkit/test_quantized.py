"""The judge's int8 rebuild: a real int8 model is accepted, a float model that claims one is not."""

import copy

import pytest
import torch
from torch import nn
from torch.ao import quantization as tq

from grader.assignment import PACKAGE_ROOT
from grader.toolkit import quantized
from grader.toolkit.layers import load_network, sequential

# torch's eager quantization warns about its own deprecation and internals
pytestmark = pytest.mark.filterwarnings("ignore:.*(TypedStorage|quantized tensor creation"
                                        "|reduce_range|Please use quant_min|is deprecated)")


@pytest.fixture(scope="module")
def network():
    """SimpleNet's trained float layers, scene_recognition's net to quantize."""
    spec, state = load_network(PACKAGE_ROOT / "assignments/scene_recognition/simple_net.safetensors")
    net = sequential(spec).eval()
    net.load_state_dict(state)
    return spec, net


def int8_copy(net: nn.Module) -> nn.Module:
    wrapped = tq.QuantWrapper(copy.deepcopy(net))
    wrapped.qconfig = tq.get_default_qconfig(torch.backends.quantized.engine)
    prepared = tq.prepare(wrapped)
    with torch.no_grad():
        prepared(torch.randn(64, 1, 64, 64, generator=torch.Generator().manual_seed(0)))
    return tq.convert(prepared).eval()


def inputs(seed=1):
    return torch.randn(16, 1, 64, 64, generator=torch.Generator().manual_seed(seed))


def test_an_int8_model_is_rebuilt_exactly(network):
    spec, net = network
    model = int8_copy(net)
    rebuilt = quantized.verified_rebuild(spec, net, model.state_dict(), model, inputs())
    x = inputs(2)
    assert torch.equal(rebuilt(x), model(x))
    size = quantized.saved_size(rebuilt.state_dict())
    assert size < 0.5 * quantized.saved_size(net.state_dict())


def test_a_float_model_claiming_int8_weights_is_refused(network):
    spec, net = network
    claimed = int8_copy(net).state_dict()
    with pytest.raises(AssertionError, match="does not compute"):
        quantized.verified_rebuild(spec, net, claimed, net, inputs())
    last = [m for m in int8_copy(net).modules() if type(m).__name__ == "Linear"][-1]

    def rounded(x):  # float outputs moved onto the int8 model's output grid
        return torch.fake_quantize_per_tensor_affine(net(x), float(last.scale),
                                                     int(last.zero_point), 0, 255)
    with pytest.raises(AssertionError, match="does not compute"):
        quantized.verified_rebuild(spec, net, claimed, rounded, inputs())


def test_a_state_without_int8_weights_names_the_float_layers(network):
    spec, net = network
    with pytest.raises(AssertionError, match=r"0\.weight \(10, 1, 5, 5\)"):
        quantized.verified_rebuild(spec, net, net.state_dict(), net, inputs())
