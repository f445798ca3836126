"""The wire format: plain data round-trips exactly; everything else stays behind a reference."""

import io
import json
import math

import numpy as np
import pytest
import torch

from grader.wire import Decoder, Encoder, WireError, read_message, write_message


def roundtrip(value, refs=None):
    refs = [] if refs is None else refs

    def make_ref(obj):
        refs.append(obj)
        return {"$ref": len(refs) - 1, "type": type(obj).__name__}

    encoder = Encoder(make_ref)
    header = json.loads(json.dumps({"v": encoder.encode(value)}, allow_nan=False))
    buffers = [bytes(b) for b in encoder.buffers]
    return Decoder(buffers, lambda desc: ("ref", desc["$ref"])).decode(header["v"])


@pytest.mark.parametrize("value", [
    None, True, 0, -(2**70), 1.5, "text", [1, [2, "x"]], {"a": 1, "b": [None]},
    (1, (2, 3)), {1: "int key", "$x": "tag-like key"},
])
def test_plain_values_roundtrip_with_exact_types(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_non_finite_floats_survive_strict_json():
    back = roundtrip([math.nan, math.inf, -math.inf])
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.int64,
                                   torch.uint8, torch.bool, torch.complex64, torch.float16])
def test_tensors_roundtrip_as_plain_tensors(dtype):
    tensor = (torch.arange(24) % 5).to(dtype).reshape(2, 3, 4)[:, ::2]  # non-contiguous view
    back = roundtrip(tensor)
    assert type(back) is torch.Tensor and back.dtype == dtype and back.shape == tensor.shape
    assert torch.equal(back, tensor)


def test_tensor_details():
    param = torch.nn.Parameter(torch.ones(3))
    back = roundtrip({"p": param, "empty": torch.zeros(0, 4), "scalar": torch.tensor(2.5),
                      "size": torch.Size([2, 3]), "dtype": torch.float16,
                      "device": torch.device("cpu")})
    assert type(back["p"]) is torch.Tensor and back["p"].requires_grad
    assert back["empty"].shape == (0, 4)
    assert back["scalar"].item() == 2.5 and back["scalar"].shape == ()
    assert back["size"] == (2, 3) and back["dtype"] is torch.float16
    assert back["device"] == torch.device("cpu")


def test_numpy_arrays_and_scalars():
    array = np.arange(12, dtype=np.int16).reshape(3, 4)
    back = roundtrip([array, np.float32(1.25), np.bool_(True)])
    assert type(back[0]) is np.ndarray and back[0].dtype == np.int16
    np.testing.assert_array_equal(back[0], array)
    assert type(back[1]) is np.float32 and back[1] == np.float32(1.25)
    assert type(back[2]) is np.bool_


class SneakyTensor(torch.Tensor):
    def __eq__(self, other):
        return True


class SneakyArray(np.ndarray):
    pass


@pytest.mark.parametrize("value", [
    torch.zeros(2).as_subclass(SneakyTensor),
    np.zeros(2).view(SneakyArray),
    np.array([object()], dtype=object),
    torch.zeros(2, device="meta"),
    torch.nn.Linear(2, 2),
    lambda: 1,
])
def test_anything_else_stays_behind_a_reference(value):
    refs = []
    back = roundtrip(value, refs)
    assert back == ("ref", 0) and refs[0] is value


@pytest.mark.parametrize("header, buffers", [
    ({"$tensor": 0, "dtype": "float32", "shape": [2]}, [b"\0" * 7]),   # wrong byte count
    ({"$tensor": 5, "dtype": "float32", "shape": [1]}, [b"\0" * 4]),   # no such buffer
    ({"$tensor": 0, "dtype": "Tensor", "shape": [1]}, [b"\0" * 4]),    # not a dtype
    ({"$ndarray": 0, "dtype": "|O", "shape": [1]}, [b"\0" * 8]),       # object array
    ({"$tensor": 0, "dtype": "float32", "shape": [-1]}, [b""]),        # bad shape
    ({"$pickle": "gASV"}, []),                                         # unknown tag
    ({"$float": "1e400"}, []),                                         # only nan/inf
])
def test_malformed_messages_are_rejected(header, buffers):
    with pytest.raises(WireError):
        Decoder(buffers, lambda d: None).decode(header)


def test_framing_roundtrip_and_truncation():
    stream = io.BytesIO()
    write_message(stream, {"op": "call"}, [b"abc", memoryview(b"")])
    data = stream.getvalue()
    assert read_message(io.BytesIO(data)) == ({"op": "call"}, [b"abc", b""])
    with pytest.raises(EOFError):
        read_message(io.BytesIO(data[:-2]))
