"""Assertions about student results, worded like a good TA's comment.

Each check raises `CheckFailed` (an AssertionError) saying what was expected,
what came back, and where to look. Types are checked exactly: a subclass of
`torch.Tensor` or `numpy.ndarray` is not accepted where a plain one is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

# A number a student computes in float32 (``(pred == y).float().mean().item()``) carries
# float32's rounding, up to 6e-8 of its size per operation (24 significant bits), where the
# judge computes in float64. This relative tolerance leaves room for a few roundings and
# still tells apart any two results that differ in substance: two accuracies over fewer
# than a million samples differ by more.
FLOAT32_RTOL = 1e-6


class CheckFailed(AssertionError):
    """A student result that does not meet the check."""


def _fail(what: str, expected: str, got: str, hint: str | None = None) -> None:
    lines = [f"{what}: expected {expected}, got {got}."]
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckFailed("\n".join(lines))


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor | np.ndarray):
        return f"a {type(value).__name__} of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 80 else text[:77] + '...'}"


def check_type(value: Any, expected: type | tuple[type, ...], *, name: str = "result",
               hint: str | None = None) -> Any:
    """Exact type (bool is not an int, a tensor subclass is not a tensor)."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if type(value) not in kinds:
        _fail(name, " or ".join(k.__name__ for k in kinds), _describe(value), hint)
    return value


def check_tensor(value: Any, *, shape: Sequence[int] | None = None,
                 dtype: torch.dtype | None = None, finite: bool = True,
                 name: str = "output", hint: str | None = None) -> torch.Tensor:
    """A plain torch.Tensor with the given shape and dtype, finite unless told otherwise."""
    check_type(value, torch.Tensor, name=name, hint=hint)
    _check_layout(value, shape, dtype, name, hint)
    if finite and (value.is_floating_point() or value.is_complex()):
        bad = ~torch.isfinite(value)
        if bad.any():
            index = tuple(int(i) for i in bad.nonzero()[0])
            _fail(name, "finite values", f"{int(bad.sum())} NaN/inf values (first at index "
                  f"{index}: {value[index].item()})", hint or "look for a division by zero, a "
                  "log of 0, or a learning rate that diverges")
    return value


def check_array(value: Any, *, shape: Sequence[int] | None = None, dtype: Any = None,
                finite: bool = True, name: str = "output", hint: str | None = None) -> np.ndarray:
    """A plain numpy.ndarray with the given shape and dtype, finite unless told otherwise."""
    check_type(value, np.ndarray, name=name, hint=hint)
    _check_layout(value, shape, None if dtype is None else np.dtype(dtype), name, hint)
    if finite and value.dtype.kind in "fc" and not np.isfinite(value).all():
        _fail(name, "finite values", f"{int((~np.isfinite(value)).sum())} NaN/inf values", hint)
    return value


def _check_layout(value, shape, dtype, name: str, hint: str | None) -> None:
    if shape is not None and tuple(value.shape) != tuple(shape):
        _fail(f"{name} shape", str(tuple(shape)), str(tuple(value.shape)), hint)
    if dtype is not None and value.dtype != dtype:
        _fail(f"{name} dtype", str(dtype), str(value.dtype), hint)


def check_close(actual: Any, expected: Any, *, rtol: float, atol: float,
                name: str = "output", hint: str | None = None) -> None:
    """Elementwise |actual - expected| <= atol + rtol * |expected|, reported with the worst spot.

    Tolerances are required: every comparison of floats in a test states them.
    """
    got = torch.as_tensor(np.asarray(actual) if isinstance(actual, np.ndarray) else actual)
    want = torch.as_tensor(np.asarray(expected) if isinstance(expected, np.ndarray) else expected)
    if got.shape != want.shape:
        _fail(f"{name} shape", str(tuple(want.shape)), str(tuple(got.shape)), hint)
    got, want = got.detach().double(), want.detach().double()
    error = (got - want).abs()
    allowed = atol + rtol * want.abs()
    bad = ~(error <= allowed)  # NaN compares False, so NaN is out of tolerance
    if not bad.any():
        return
    worst = int(torch.where(torch.isnan(error), torch.inf, error).flatten().argmax())
    index = tuple(int(i) for i in np.unravel_index(worst, tuple(want.shape))) if want.dim() else ()
    rel = (error / want.abs().clamp_min(1e-12)).flatten()[worst]
    where = f" at index {index}" if index else ""
    raise CheckFailed(
        f"{name} differs from the expected values in {int(bad.sum())} of {bad.numel()} "
        f"elements.\nLargest difference{where}: got {got.flatten()[worst].item():.6g}, "
        f"expected {want.flatten()[worst].item():.6g} (abs error {error.flatten()[worst]:.3g}, "
        f"rel error {rel:.3g}; allowed atol={atol:g}, rtol={rtol:g})."
        + (f"\nHint: {hint}" if hint else ""))


def check_scalar(value: Any, expected: float, *, rtol: float, atol: float,
                 name: str = "result", hint: str | None = None) -> float:
    """A Python number (or 0-d tensor/array) close to `expected`."""
    if isinstance(value, torch.Tensor | np.ndarray | np.generic) and np.ndim(value) == 0:
        value = value.item()
    check_type(value, (float, int), name=name, hint=hint)
    if not abs(value - expected) <= atol + rtol * abs(expected):
        digits = _distinguishing_digits(value, expected)
        _fail(name, f"{expected:.{digits}g} (within atol={atol:g}, rtol={rtol:g})",
              f"{value:.{digits}g}", hint)
    return float(value)


def _distinguishing_digits(value: float, expected: float) -> int:
    """Significant digits to print so that two different numbers do not read the same."""
    return next((d for d in range(6, 17) if f"{value:.{d}g}" != f"{expected:.{d}g}"), 17)


def check_equal(value: Any, expected: Any, *, name: str = "result",
                hint: str | None = None) -> Any:
    """Exact equality of plain data, with exact types (True is not 1)."""
    if type(value) is not type(expected) or value != expected:
        _fail(name, _describe(expected), _describe(value), hint)
    return value


def check_loss_and_accuracy(result: Any, loss: float, accuracy: float, what: str) -> None:
    """``what`` (a train or evaluate loop) returned ``(mean_loss, accuracy)`` close to the judge's.

    The accuracy may carry float32's rounding (``(pred == y).float().mean().item()``):
    it is compared within ``FLOAT32_RTOL``, which still tells one sample apart.
    """
    check_type(result, tuple, name=f"{what}'s return value",
               hint="return a tuple (mean_loss, accuracy)")
    check_equal(len(result), 2, name=f"length of {what}'s return value")
    check_scalar(result[0], loss, rtol=1e-4, atol=1e-5, name="mean loss",
                 hint="average the loss per sample: weight each batch by its size")
    check_scalar(result[1], accuracy, rtol=FLOAT32_RTOL, atol=0, name="accuracy",
                 hint="a fraction in [0, 1] of samples whose arg-max logit is the label")
