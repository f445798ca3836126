"""Wire format between the judge and student code: JSON plus raw array buffers.

Plain data (None, bool, int, float, str, list, tuple, dict, plain
`torch.Tensor`, plain `numpy.ndarray`, numpy scalars, dtypes, devices) crosses as
values; every other object stays where it was made and crosses as a reference
(`{"$ref": id, ...}`) that the other side turns into a handle. Nothing is ever
pickled, so decoding can only build the plain types listed here.
"""

from __future__ import annotations

import json
import math
import struct
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np
import torch

TAG = "$"  # tagged objects are dicts whose first key starts with "$"
MAX_HEADER_BYTES = 64 * 2**20
MAX_BUFFER_BYTES = 4 * 2**30
_NUMPY_KINDS = "biufc"  # bool, int, uint, float, complex: no objects, strings or records
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)


class WireError(Exception):
    """A message that does not follow the wire format."""


class Encoder:
    """Turns a value into JSON-ready structure plus a list of byte buffers."""

    def __init__(self, make_ref: Callable[[Any], dict]):
        self.make_ref = make_ref
        self.buffers: list[bytes | memoryview] = []

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if kind is list:
            return [self.encode(v) for v in value]
        if kind is tuple or kind is torch.Size:
            return {"$tuple": [self.encode(v) for v in value]}
        if kind is dict or kind is OrderedDict:  # state_dict() is an OrderedDict
            return self._dict(value)
        if kind in _TENSOR_TYPES and _is_plain_tensor(value):
            return self._tensor(value)
        if kind is np.ndarray and value.dtype.kind in _NUMPY_KINDS:
            return self._array(value)
        if isinstance(value, np.generic) and value.dtype.kind in _NUMPY_KINDS:
            return {"$npscalar": self._array(np.asarray(value))}
        if kind is torch.dtype:
            return {"$dtype": str(value).removeprefix("torch.")}
        if kind is torch.device:
            return {"$device": str(value)}
        return self.make_ref(value)

    def _dict(self, value: dict) -> dict:
        if all(type(k) is str and not k.startswith(TAG) for k in value):
            return {k: self.encode(v) for k, v in value.items()}
        return {"$dict": [[self.encode(k), self.encode(v)] for k, v in value.items()]}

    def _add_buffer(self, data: bytes | memoryview) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def _tensor(self, tensor: torch.Tensor) -> dict:
        data = tensor.detach().to("cpu").contiguous()
        raw = data.reshape(-1).view(torch.uint8).numpy() if data.numel() else b""
        return {
            "$tensor": self._add_buffer(memoryview(raw)),
            "dtype": str(data.dtype).removeprefix("torch."),
            "shape": list(data.shape),
            "requires_grad": tensor.requires_grad,
            "device": str(tensor.device),
        }

    def _array(self, array: np.ndarray) -> dict:
        data = np.array(array, order="C")  # a C-ordered copy; keeps 0-d arrays 0-d
        return {
            "$ndarray": self._add_buffer(memoryview(data.reshape(-1).view(np.uint8))),
            "dtype": data.dtype.str,
            "shape": list(data.shape),
        }


def _is_plain_tensor(tensor: torch.Tensor) -> bool:
    """Strided, materialised, unquantized: the only tensors whose bytes are the values."""
    return tensor.layout is torch.strided and not tensor.is_meta and not tensor.is_quantized


class Decoder:
    """Rebuilds values from `Encoder` output; references go through `resolve_ref`."""

    def __init__(self, buffers: list, resolve_ref: Callable[[dict], Any]):
        self.buffers = buffers
        self.resolve_ref = resolve_ref

    def decode(self, obj: Any) -> Any:
        if isinstance(obj, list):
            return [self.decode(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        tag = next(iter(obj), "")
        if not tag.startswith(TAG):
            return {k: self.decode(v) for k, v in obj.items()}
        handler = getattr(self, "_" + tag[1:], None)
        if handler is None:
            raise WireError(f"unknown tag {tag!r}")
        return handler(obj)

    def _float(self, obj: dict) -> float:
        text = obj["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise WireError(f"bad float {text!r}")
        return float(text)

    def _tuple(self, obj: dict) -> tuple:
        return tuple(self.decode(v) for v in obj["$tuple"])

    def _dict(self, obj: dict) -> dict:
        return {self.decode(k): self.decode(v) for k, v in obj["$dict"]}

    def _ref(self, obj: dict) -> Any:
        return self.resolve_ref(obj)

    def _dtype(self, obj: dict) -> torch.dtype:
        return _torch_dtype(obj["$dtype"])

    def _device(self, obj: dict) -> torch.device:
        try:
            return torch.device(obj["$device"])
        except (RuntimeError, TypeError) as exc:
            raise WireError(f"bad device {obj['$device']!r}") from exc

    def _buffer(self, index: Any, nbytes: int) -> bytes | memoryview:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError(f"bad buffer index {index!r}")
        data = self.buffers[index]
        if len(data) != nbytes:
            raise WireError(f"buffer {index} has {len(data)} bytes, expected {nbytes}")
        return data

    def _tensor(self, obj: dict) -> torch.Tensor:
        dtype = _torch_dtype(obj["dtype"])
        shape = _shape(obj["shape"])
        numel = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        data = self._buffer(obj["$tensor"], numel * itemsize)
        if numel == 0:
            tensor = torch.empty(shape, dtype=dtype)
        else:
            tensor = torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape)
        if obj.get("requires_grad") is True and (dtype.is_floating_point or dtype.is_complex):
            tensor.requires_grad_(True)
        return tensor

    def _ndarray(self, obj: dict) -> np.ndarray:
        try:
            dtype = np.dtype(obj["dtype"])
        except TypeError as exc:
            raise WireError(f"bad dtype {obj['dtype']!r}") from exc
        if dtype.kind not in _NUMPY_KINDS:
            raise WireError(f"dtype {dtype} is not plain data")
        shape = _shape(obj["shape"])
        data = self._buffer(obj["$ndarray"], math.prod(shape) * dtype.itemsize)
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def _npscalar(self, obj: dict) -> np.generic:
        array = self._ndarray(obj["$npscalar"])
        if array.shape != ():
            raise WireError("numpy scalar with a shape")
        return array[()]


def _torch_dtype(name: Any) -> torch.dtype:
    dtype = getattr(torch, name, None) if isinstance(name, str) else None
    if not isinstance(dtype, torch.dtype):
        raise WireError(f"bad torch dtype {name!r}")
    return dtype


def _shape(shape: Any) -> tuple[int, ...]:
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"bad shape {shape!r}")
    return tuple(shape)


# Framing for byte streams (pipes to a worker process):
#   u64 header length, header JSON (with "nbuf"), then per buffer u64 length + bytes.
_LEN = struct.Struct("<Q")


def write_message(stream: BinaryIO, header: dict, buffers: list) -> None:
    payload = json.dumps({**header, "nbuf": len(buffers)}, allow_nan=False).encode()
    stream.write(_LEN.pack(len(payload)))
    stream.write(payload)
    for data in buffers:
        stream.write(_LEN.pack(len(data)))
        stream.write(data)
    stream.flush()


def read_message(stream: BinaryIO) -> tuple[dict, list[bytes]]:
    size = _read_length(stream, MAX_HEADER_BYTES)
    header = json.loads(_read_exact(stream, size))
    if not isinstance(header, dict) or type(header.get("nbuf")) is not int:
        raise WireError("header is not a message")
    buffers = [_read_exact(stream, _read_length(stream, MAX_BUFFER_BYTES))
               for _ in range(header.pop("nbuf"))]
    return header, buffers


def _read_length(stream: BinaryIO, limit: int) -> int:
    (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    if size > limit:
        raise WireError(f"frame of {size} bytes exceeds the limit of {limit}")
    return size


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise EOFError("stream closed in the middle of a message")
    return data
